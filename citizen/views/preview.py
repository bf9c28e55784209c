"""The designer's live preview (docs/designer.md): a service's draft rendered as the real
citizen form — the same step pages, widgets, validation and conditions (citizen/views/
steps.py, the form engine) — answered into the designer's session and never filed: no
case, no stored upload, no e-mail. District admins only."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from catalog.designer.views import district_admin_required
from catalog.forms.conditions import without_hidden
from catalog.forms.uploads import validate_files
from catalog.forms.validation import schema_errors, validate_form
from catalog.models import ServiceDefinition, ServiceOffering
from catalog.selectors import Offer
from citizen.flow import Flow, error_summary, page_errors, posted_values
from citizen.views.steps import step_widgets
from core.errors import FileTooLarge, NotFound
from core.i18n import translated
from municipalities.models import Municipality

#: The contact step is the portal's own, not the service's: the preview does not ask it.
PREVIEW_APPLICANT = {"name": "Vorschau", "email": "vorschau@example.org"}


class PreviewFlow(Flow):
    """The citizen's flow through a draft, at the designer's preview addresses."""

    def step_url(self, number: int, *, back_to_check: bool = False) -> str:
        url = reverse("designer-preview-step", args=[self.offer.service.key, number])
        return f"{url}?return=check" if back_to_check else url

    @property
    def check_url(self) -> str:
        return reverse("designer-preview-check", args=[self.offer.service.key])

    @property
    def list_url(self) -> str:
        return reverse("designer-service", args=[self.offer.service.key])

    @property
    def total(self) -> int:
        return len(self.steps)  # no contact step: the preview files nothing

    def applies(self, number: int, values: dict[str, Any]) -> bool:
        return any(s.number == number for s in self.shown(values))

    def incomplete_step(self, draft: dict[str, Any]) -> int | None:
        """The first step of the form still to answer (there is no contact step)."""
        number = super().incomplete_step({**draft, "applicant": PREVIEW_APPLICANT})
        return number if number is not None and number <= self.total else None


def _flow(request: HttpRequest, key: str) -> PreviewFlow:
    district_admin_required(request)
    draft = ServiceDefinition.objects.filter(key=key, status=ServiceDefinition.Status.DRAFT).first()
    if draft is None or not draft.form.get("steps") or schema_errors(draft.form):
        # Only a form the engine can ask is shown; the designer's page lists what is wrong.
        raise NotFound("no draft with a complete form to preview")
    district = Municipality.objects.filter(kind=Municipality.Kind.DISTRICT).first()
    place = district or Municipality(name=_("Preview"), slug="preview")
    offer = Offer(
        municipality=place,
        offering=ServiceOffering(municipality=place, service_key=key),
        service=draft,
        processing_authority=place,
    )
    return PreviewFlow(offer=offer, steps=draft.form["steps"])


def _answers(request: HttpRequest, key: str) -> dict[str, Any]:
    stored = request.session.get(f"designer-preview:{key}")
    return stored if isinstance(stored, dict) else {"values": {}, "files": {}}


@never_cache
@require_http_methods(["GET", "POST"])
def preview_step(request: HttpRequest, key: str, step: int = 1) -> HttpResponse:
    flow = _flow(request, key)
    if not 1 <= step <= flow.total:
        raise NotFound("no such step")
    answers = _answers(request, key)
    if not flow.applies(step, answers["values"]):
        later = [s.number for s in flow.shown(answers["values"]) if s.number > step]
        return redirect(flow.step_url(later[0]) if later else flow.check_url)
    fields = flow.fields(step)
    values = dict(answers["values"])
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        posted = posted_values(fields, request.POST)
        merged = {k: v for k, v in values.items() if k not in {f.name for f in fields}}
        merged.update(posted)
        cleaned, errors = validate_form(flow.form, merged, step=step)
        errors = page_errors(fields, posted, errors)
        shown = {f.name for s in flow.shown(merged) for f in s.fields}
        for f in fields:
            if not f.kind.is_file or f.name not in shown:
                continue
            uploads = request.FILES.getlist(f.name)[:1]
            try:
                _checked, file_errors = validate_files([f], {f.name: uploads}, require=False)
            except FileTooLarge:
                file_errors = {f.name: [_("The file is too large.")]}
            if file_errors:
                errors[f.name] = file_errors[f.name]
            elif uploads:
                answers["files"][f.name] = {"name": uploads[0].name}
            elif f.required and f.name not in answers["files"]:
                errors[f.name] = [_("Please upload a file.")]
        if not errors:
            for f in fields:
                answers["values"].pop(f.name, None)
            answers["values"].update(cleaned)
            request.session[f"designer-preview:{key}"] = answers
            later = [s.number for s in flow.shown(answers["values"]) if s.number > step]
            if request.POST.get("return") == "check" or not later:
                return redirect(flow.check_url)
            return redirect(flow.step_url(later[0]))
        values.update({f.name: posted.get(f.name) for f in fields})
    widgets = step_widgets(flow, step, values, errors, answers["files"])
    previous = flow.previous_number(step, answers["values"])
    return render(
        request,
        "citizen/step.html",
        {
            "flow": flow,
            "offer": flow.offer,
            "preview": True,
            "step": step,
            "total": flow.total,
            "title": translated(flow.steps[step - 1].get("title")),
            "widgets": widgets,
            "conditional": any(w.condition_json for w in widgets),
            "step_notice": translated(flow.steps[step - 1].get("notice")),
            "errors": error_summary(widgets),
            "multipart": any(w.field.kind.is_file for w in widgets),
            "back_url": flow.list_url if previous is None else flow.step_url(previous),
            "back_to_check": request.GET.get("return") == "check",
            "action": flow.step_url(step),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def preview_check(request: HttpRequest, key: str) -> HttpResponse:
    flow = _flow(request, key)
    if request.method == "POST":  # start again
        request.session.pop(f"designer-preview:{key}", None)
        return redirect(flow.step_url(1))
    answers = _answers(request, key)
    incomplete = flow.incomplete_step(
        {**answers, "applicant": {"name": "x", "email": "x@example.org"}}
    )
    if incomplete is not None and incomplete <= flow.total:
        return redirect(flow.step_url(incomplete))
    values = without_hidden(flow.form, answers["values"])
    sections = [
        {
            "title": step.title,
            "change_url": flow.step_url(step.number, back_to_check=True),
            "rows": [
                {
                    "label": f.label,
                    "value": (answers["files"].get(f.name) or {}).get("name", "")
                    if f.kind.is_file
                    else f.display(values.get(f.name)),
                }
                for f in step.fields
            ],
        }
        for step in flow.shown(answers["values"])
    ]
    return render(
        request,
        "citizen/check.html",
        {
            "flow": flow,
            "offer": flow.offer,
            "preview": True,
            "sections": sections,
            "back_url": flow.step_url(flow.previous_number(flow.total + 1, values) or 1),
        },
    )
