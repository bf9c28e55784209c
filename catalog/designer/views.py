"""The designer's pages for district admins (docs/designer.md): thin — a form, a call to
catalog/designer/edit.py or catalog/services.py, a template. Every action is a plain form
(POST, then a redirect), so the pages work without JavaScript and by keyboard."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.designer import edit
from catalog.designer.diff import changes
from catalog.designer.forms import DetailsForm, FieldForm, StepForm, cents_to_text
from catalog.forms.fields import Field, steps_of
from catalog.forms.validation import schema_errors
from catalog.models import ServiceDefinition
from catalog.selectors import published_service
from catalog.services import (
    definition_errors,
    service_draft_create,
    service_export,
    service_publish,
)
from core.audit import audit_record
from core.errors import Conflict, Invalid, NotFound, PortalError
from core.i18n import translated
from core.models import AuditEntry
from core.tenancy import scope_for_request

Draft = ServiceDefinition


def district_admin_required(request: HttpRequest) -> None:
    """The designer is the district admins' (and superusers'); anyone else gets a 404."""
    scope = scope_for_request(request)
    if not (scope.superuser or scope.district_admin):
        raise NotFound("not a district admin")


def _draft(key: str) -> Draft:
    draft = ServiceDefinition.objects.filter(key=key, status=ServiceDefinition.Status.DRAFT).first()
    if draft is None:
        raise NotFound("no draft of this service")
    return draft


def _context(service: ServiceDefinition, title: str = "", **extra: Any) -> dict[str, Any]:
    return {
        "service_key": service.key,
        "service_name": service.display_name or service.key,
        "page_title": title,
        **extra,
    }


def _earlier_fields(form: dict[str, Any], step: int, name: str | None = None) -> list[Field]:
    """The fields a condition of step `step` (0-based) may ask: those of earlier steps, and
    for a field the ones before it on its own step (all of them for a new field)."""
    fields = [Field(f) for s in steps_of(form)[:step] for f in s.get("fields", [])]
    if name is not False:
        for spec in steps_of(form)[step].get("fields", []) if step < len(steps_of(form)) else []:
            if spec.get("name") == name:
                break
            fields.append(Field(spec))
    return fields


@login_required
def service_list(request: HttpRequest) -> HttpResponse:
    district_admin_required(request)
    newest: dict[str, ServiceDefinition] = {}
    drafts = set()
    for definition in ServiceDefinition.objects.order_by("key", "-version"):
        newest.setdefault(definition.key, definition)
        if definition.status == ServiceDefinition.Status.DRAFT:
            drafts.add(definition.key)
    rows = [
        {"definition": d, "has_draft": d.key in drafts}
        for d in sorted(newest.values(), key=lambda d: d.display_name.casefold())
    ]
    return render(request, "designer/list.html", {"rows": rows})


@login_required
def service_new(request: HttpRequest) -> HttpResponse:
    district_admin_required(request)
    form = DetailsForm(
        request.POST or None,
        new=True,
        initial={
            "offered_by": "towns",
            "trust_level": "none",
            "fee_kind": "free",
            "sla_days": 10,
            "retention_days": 90,
        },
    )
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["key"]
        if ServiceDefinition.objects.filter(key=key).exists():
            form.add_error("key", _("A service with this key exists; open it to change it."))
        else:
            with transaction.atomic():
                draft = ServiceDefinition.objects.create(
                    key=key,
                    version=1,
                    status=ServiceDefinition.Status.DRAFT,
                    form=edit.empty_form(),
                    **form.values(),
                )
                audit_record(
                    actor=request.user,
                    action=AuditEntry.Action.ADD,
                    obj=draft,
                    changes={"designer": "new service"},
                )
            messages.success(request, _("The draft is made. Now add its steps and questions."))
            return redirect("designer-service", key=key)
    return render(
        request,
        "designer/details.html",
        {"form": form, "page_title": _("New service"), "new": True},
    )


@login_required
def service_page(request: HttpRequest, key: str) -> HttpResponse:
    district_admin_required(request)
    draft = ServiceDefinition.objects.filter(key=key, status=ServiceDefinition.Status.DRAFT).first()
    published = published_service(key)
    definition = draft or published
    if definition is None:
        raise NotFound("no such service")
    problems = definition_errors(service_export(draft)) if draft else []
    steps = [
        {
            "number": number,
            "title": translated(step.get("title")),
            "condition": step.get("visible_if"),
            "fields": [Field(spec) for spec in step.get("fields", [])],
            "last": number == len(steps_of(definition.form)),
        }
        for number, step in enumerate(steps_of(definition.form), start=1)
    ]
    fee = definition.fee or {}
    return render(
        request,
        "designer/service.html",
        _context(
            definition,
            draft=draft,
            published=published,
            definition=definition,
            steps=steps,
            problems=problems,
            previewable=bool(draft and steps_of(draft.form) and not schema_errors(draft.form)),
            fee_text=cents_to_text(fee.get("cents")) if fee.get("kind") != "free" else "",
            bounds=(
                cents_to_text(definition.fee_min_cents),
                cents_to_text(definition.fee_max_cents),
            ),
        ),
    )


@login_required
@require_POST
def draft_make(request: HttpRequest, key: str) -> HttpResponse:
    district_admin_required(request)
    published = published_service(key)
    if published is None:
        raise NotFound("no such service")
    draft, created = service_draft_create(definition=published)
    if created:
        audit_record(
            actor=request.user,
            action=AuditEntry.Action.ADD,
            obj=draft,
            changes={"designer": f"draft of version {published.version}"},
        )
    return redirect("designer-service", key=key)


@login_required
def details(request: HttpRequest, key: str) -> HttpResponse:
    district_admin_required(request)
    draft = _draft(key)
    form = DetailsForm(request.POST or None, initial=DetailsForm.initial_of(draft))
    if request.method == "POST" and form.is_valid():
        edit.draft_change(draft=draft, actor=request.user, what="details", **form.values())
        messages.success(request, _("The details are saved."))
        return redirect("designer-service", key=key)
    return render(request, "designer/details.html", _context(draft, _("Details"), form=form))


def _save_form(
    request: HttpRequest, draft: Draft, new_form: dict[str, Any], what: str
) -> list[str]:
    problems = edit.new_problems(draft.form, new_form)
    if not problems:
        edit.draft_change(draft=draft, actor=request.user, what=what, form=new_form)
    return problems


@login_required
def step_edit(request: HttpRequest, key: str, number: int | None = None) -> HttpResponse:
    district_admin_required(request)
    draft = _draft(key)
    steps = steps_of(draft.form)
    if number is not None and not 1 <= number <= len(steps):
        raise NotFound("no such step")
    index = None if number is None else number - 1
    earlier = _earlier_fields(draft.form, len(steps) if index is None else index, name=False)
    form = StepForm(
        request.POST or None, step=None if index is None else steps[index], earlier=earlier
    )
    if request.method == "POST" and form.is_valid():
        spec = form.spec()
        if form.is_valid():
            problems = _save_form(request, draft, edit.step_put(draft.form, index, spec), "step")
            if not problems:
                messages.success(request, _("The step is saved."))
                return redirect("designer-service", key=key)
            for problem in problems:
                form.add_error(None, problem)
    title = _("New step") if number is None else _("Step %(n)d") % {"n": number}
    return render(request, "designer/step.html", _context(draft, title, form=form, number=number))


@login_required
def field_edit(
    request: HttpRequest, key: str, number: int, name: str | None = None
) -> HttpResponse:
    district_admin_required(request)
    draft = _draft(key)
    steps = steps_of(draft.form)
    if not 1 <= number <= len(steps):
        raise NotFound("no such step")
    index = number - 1
    spec = None
    if name is not None:
        spec = steps[index]["fields"][edit.field_index(draft.form, index, name)]
    earlier = _earlier_fields(draft.form, index, name)
    form = FieldForm(request.POST or None, spec=spec, earlier=earlier)
    if request.method == "POST" and form.is_valid():
        new_spec = form.spec()
        if form.is_valid():
            problems = _save_form(
                request, draft, edit.field_put(draft.form, index, name, new_spec), "field"
            )
            if not problems:
                messages.success(request, _("The question is saved."))
                return redirect(f"{_service_url(key)}#step-{number}")
            for problem in problems:
                form.add_error(None, problem)
    title = _("New question") if name is None else (translated(spec.get("label")) or name)
    return render(
        request,
        "designer/field.html",
        _context(
            draft, title, form=form, number=number, step_title=translated(steps[index].get("title"))
        ),
    )


def _service_url(key: str) -> str:
    return reverse("designer-service", args=[key])


@login_required
@require_POST
def step_action(request: HttpRequest, key: str, number: int) -> HttpResponse:
    district_admin_required(request)
    draft = _draft(key)
    action = request.POST.get("action")
    index = number - 1
    if action in ("up", "down"):
        new = edit.step_move(draft.form, index, -1 if action == "up" else 1)
    elif action == "delete":
        new = edit.step_delete(draft.form, index)
    else:
        raise Invalid("unknown action")
    _report(request, _save_form(request, draft, new, f"step {action}"))
    return redirect(_service_url(key))


@login_required
@require_POST
def field_action(request: HttpRequest, key: str, number: int, name: str) -> HttpResponse:
    district_admin_required(request)
    draft = _draft(key)
    action = request.POST.get("action")
    index = number - 1
    if action in ("up", "down"):
        new = edit.field_move(draft.form, index, name, -1 if action == "up" else 1)
    elif action == "delete":
        new = edit.field_delete(draft.form, index, name)
    else:
        raise Invalid("unknown action")
    _report(request, _save_form(request, draft, new, f"field {action}"))
    return redirect(f"{_service_url(key)}#field-{name}")


def _report(request: HttpRequest, problems: list[str]) -> None:
    if problems:
        messages.error(
            request,
            _("Not changed: %(problems)s") % {"problems": " ".join(problems)},
        )
    else:
        messages.success(request, _("Changed."))


@login_required
def changes_page(request: HttpRequest, key: str) -> HttpResponse:
    district_admin_required(request)
    draft = _draft(key)
    published = published_service(key)
    if request.method == "POST":
        try:
            done = service_publish(definition=draft)
        except (Conflict, Invalid) as exc:
            messages.error(request, exc.detail)
        except PortalError as exc:  # pragma: no cover - the two above are all it raises
            messages.error(request, exc.detail)
        else:
            audit_record(
                actor=request.user,
                action=AuditEntry.Action.PUBLISH,
                obj=done,
                changes={"version": done.version},
            )
            messages.success(
                request,
                _("Version %(version)s is published; new cases use it, filed cases keep theirs.")
                % {"version": done.version},
            )
            return redirect("designer-service", key=key)
    return render(
        request,
        "designer/changes.html",
        _context(
            draft,
            _("Changes and publishing"),
            draft=draft,
            published=published,
            changes=changes(draft, published),
            problems=definition_errors(service_export(draft)),
        ),
    )
