"""The citizen's form (docs/api.md, Pages: /<town>/<service>/…): one page per step, the
contact details, a check-your-answers page, then the confirmation. Thin on purpose: the form
engine checks every answer exactly as the API does, cases.services writes, the drafts live
in the session (citizen/drafts.py). Everything works without JavaScript."""

from __future__ import annotations

import json
import time
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cases.references import SUBMITTED_SESSION_KEY, tracking_path
from cases.selectors import case_for_token
from cases.services import SubmissionInvalid, Submitted, case_submit, validate_applicant
from catalog.fees import fee_for
from catalog.forms.conditions import describe, referenced, without_hidden
from catalog.forms.fields import Field, fields_of
from catalog.forms.validation import validate_form
from citizen.drafts import (
    draft_discard,
    draft_drop_refused_files,
    draft_files,
    draft_forget_missing_files,
    draft_of,
    draft_save,
    store_uploads,
)
from citizen.flow import (
    AUTOCOMPLETE,
    Flow,
    Widget,
    contact_fields,
    error_summary,
    flow_for,
    page_errors,
    posted_values,
)
from citizen.uploads import too_large_message, with_upload_field_errors
from citizen.verified import sign_in_first, sign_in_url, verified_answers, verified_contact
from core.errors import FileTooLarge, NotFound, SignInRequired
from core.i18n import translated
from core.scanning import UploadNotScanned
from core.throttling import throttle
from identity.selectors import current_identity

# How long one draft's submission may hold its lock (a double click waits for it).
SUBMIT_LOCK_SECONDS = 60


def _next_url(request: HttpRequest, flow: Flow, number: int, values: dict[str, Any]) -> str:
    if request.POST.get("return") == "check" or number >= flow.total:
        return flow.check_url
    return flow.step_url(flow.next_number(number, values))


@never_cache
@require_http_methods(["GET", "POST"])
@with_upload_field_errors
def service_form(request: HttpRequest, slug: str, service_key: str, step: int = 1) -> HttpResponse:
    flow = flow_for(slug, service_key)
    if not 1 <= step <= flow.total:
        raise NotFound("no such step")
    if (sign_in := sign_in_first(request, flow)) is not None:
        return sign_in
    draft = draft_of(request, flow)
    if step == flow.total:
        return _contact_step(request, flow, draft)
    if not flow.applies(step, draft["values"]):
        # A step whose condition the answers so far do not meet is not asked.
        return redirect(flow.step_url(flow.next_number(step, draft["values"])))

    fields = flow.fields(step)
    # What BundID confirmed is shown locked and never taken from the browser.
    locked = verified_answers(current_identity(request), fields)
    values: dict[str, Any] = {**draft["values"], **locked}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        posted = {**posted_values(fields, request.POST), **locked}
        answers = {k: v for k, v in draft["values"].items() if k not in {f.name for f in fields}}
        answers.update(posted)
        cleaned, errors = validate_form(flow.form, answers, step=step)
        errors = page_errors(fields, posted, errors)
        shown = {f.name for s in flow.shown(answers) for f in s.fields}
        errors.update(
            store_uploads(
                request,
                draft,
                [f for f in fields if f.name in shown],
                municipality_id=flow.offer.processing_authority.pk,
            )
        )
        if not errors:
            for f in fields:
                draft["values"].pop(f.name, None)
            draft["values"].update(cleaned)
            draft["errors"] = {}
            draft_save(request, flow, draft)
            return redirect(_next_url(request, flow, step, draft["values"]))
        draft_save(request, flow, draft)  # keeps any file that was fine
        values.update({f.name: posted.get(f.name) for f in fields})
    else:
        # Errors a failed submission left for this step (see service_check).
        errors = {k: v for k, v in draft.get("errors", {}).items() if k in {f.name for f in fields}}

    widgets = step_widgets(flow, step, values, errors, draft["files"], locked=set(locked))
    title = translated(flow.steps[step - 1].get("title"))
    return _render_step(request, flow, step, title, widgets, draft["values"])


def step_widgets(
    flow: Flow,
    step: int,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    files: dict[str, Any],
    *,
    locked: set[str] | frozenset[str] = frozenset(),
) -> list[Widget]:
    """The questions of one step as the page shows them: those that apply to the answers
    so far, and those whose condition asks a question of this same page (marked, so the
    page works without JavaScript and conditions.js can hide them while they do not apply).
    The designer's live preview renders drafts with it, too."""
    fields = flow.fields(step)
    here = {f.name: f for f in fields}
    shown = {f.name for s in flow.shown(values) for f in s.fields}
    widgets = []
    for f in fields:
        condition = f.spec.get("visible_if")
        same_page = bool(condition) and bool(referenced(condition) & set(here))
        if f.name not in shown and not same_page:
            continue
        before = {n: g for n, g in here.items() if n != f.name}
        widgets.append(
            Widget(
                field=f,
                value=values.get(f.name),
                errors=errors.get(f.name, []),
                uploaded=files.get(f.name),
                autocomplete=f.spec.get("autocomplete")
                or ("email" if f.type == "email" else AUTOCOMPLETE.get(f.name, "")),
                condition=describe(condition, before) if same_page else "",
                condition_json=json.dumps(condition) if same_page else "",
                verified=f.name in locked,
            )
        )
    return widgets


def _render_step(
    request: HttpRequest,
    flow: Flow,
    step: int,
    title: str,
    widgets: list[Widget],
    values: dict[str, Any],
) -> HttpResponse:
    back_to_check = request.GET.get("return") == "check" or request.POST.get("return") == "check"
    previous = flow.previous_number(step, values)
    if back_to_check:
        back_url = flow.check_url
    else:
        back_url = flow.list_url if previous is None else flow.step_url(previous)
    return render(
        request,
        "citizen/step.html",
        {
            "flow": flow,
            "offer": flow.offer,
            "step": step,
            "total": flow.total,
            "title": title,
            "widgets": widgets,
            "conditional": any(w.condition_json for w in widgets),
            "step_notice": translated(flow.steps[step - 1].get("notice"))
            if step < flow.total
            else "",
            "errors": error_summary(widgets),
            "multipart": any(w.field.kind.is_file for w in widgets),
            "back_url": back_url,
            "back_to_check": back_to_check,
            "action": flow.step_url(step),
            "identity": current_identity(request),
        },
    )


def _contact_step(request: HttpRequest, flow: Flow, draft: dict[str, Any]) -> HttpResponse:
    fields = contact_fields()
    applicant = draft.get("applicant") or {}
    locked = verified_contact(current_identity(request))
    values = {
        "applicant_name": applicant.get("name"),
        "applicant_email": applicant.get("email"),
        **locked,
    }
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        typed = {**request.POST.dict(), **locked}
        posted = {
            "name": typed.get("applicant_name", ""),
            "email": typed.get("applicant_email", ""),
        }
        cleaned, applicant_errors = validate_applicant(posted)
        errors = {k.replace(".", "_"): v for k, v in applicant_errors.items()}
        if not errors:
            draft["applicant"] = cleaned
            draft_save(request, flow, draft)
            return redirect(flow.check_url)
        values = {"applicant_name": posted["name"], "applicant_email": posted["email"]}
    else:
        errors = {k: v for k, v in draft.get("errors", {}).items() if k.startswith("applicant_")}
    widgets = [
        Widget(
            field=f,
            value=values.get(f.name),
            errors=errors.get(f.name, []),
            autocomplete="name" if f.name == "applicant_name" else "email",
            verified=f.name in locked,
        )
        for f in fields
    ]
    return _render_step(
        request, flow, flow.total, _("Your contact details"), widgets, draft["values"]
    )


def _display(f: Field, draft: dict[str, Any]) -> str:
    if f.kind.is_file:
        meta = draft["files"].get(f.name)
        return meta["name"] if meta else ""
    return f.display(draft["values"].get(f.name))


@never_cache
@require_http_methods(["GET", "POST"])
@throttle("submissions", methods=["POST"])
def service_check(request: HttpRequest, slug: str, service_key: str) -> HttpResponse:
    flow = flow_for(slug, service_key)
    if (sign_in := sign_in_first(request, flow)) is not None:
        return sign_in
    draft = draft_of(request, flow)
    incomplete = flow.incomplete_step(draft)
    if incomplete is not None:
        return redirect(flow.step_url(incomplete))
    if request.method == "POST":
        return _submit(request, flow, draft)
    # A citizen who signed in after answering sees (and sends) what BundID confirmed.
    identity = current_identity(request)
    draft["values"].update(verified_answers(identity, fields_of(flow.offer.service.form)))
    contact = verified_contact(identity)
    draft["applicant"]["name"] = contact.get("applicant_name", draft["applicant"]["name"])
    draft["applicant"]["email"] = contact.get("applicant_email", draft["applicant"]["email"])

    sections = [
        {
            "title": step.title,
            "change_url": flow.step_url(step.number, back_to_check=True),
            "rows": [{"label": f.label, "value": _display(f, draft)} for f in step.fields],
        }
        for step in flow.shown(draft["values"])
    ]
    sections.append(
        {
            "title": _("Your contact details"),
            "change_url": flow.step_url(flow.total, back_to_check=True),
            "rows": [
                {"label": _("Full name"), "value": draft["applicant"]["name"]},
                {"label": _("E-mail address"), "value": draft["applicant"]["email"]},
            ],
        }
    )
    return render(
        request,
        "citizen/check.html",
        {
            "flow": flow,
            "offer": flow.offer,
            "sections": sections,
            "back_url": flow.step_url(flow.total),
            "fee_cents": fee_for(flow.offer, without_hidden(flow.form, draft["values"])),
        },
    )


def _submit(request: HttpRequest, flow: Flow, draft: dict[str, Any]) -> HttpResponse:
    """Send the draft once. A double click sends two POSTs with the same draft: the first
    takes a lock named after the draft and files the case; the second waits for its result
    and shows the same confirmation instead of filing the request a second time."""
    result_key = f"citizen-submission:{draft['id']}"
    lock_key = f"{result_key}:lock"
    earlier = cache.get(result_key)
    if earlier is None and not cache.add(lock_key, 1, timeout=SUBMIT_LOCK_SECONDS):
        earlier = _wait_for_submission(result_key, lock_key)
        if earlier is None:
            return redirect(flow.check_url)
    if earlier is not None:
        return _submitted(request, flow, draft, earlier["reference"], earlier["token"])
    try:
        response, submitted = _file_case(request, flow, draft)
        if submitted is not None:
            cache.set(
                result_key,
                {"reference": submitted.case.reference, "token": submitted.access_token},
                timeout=SUBMIT_LOCK_SECONDS * 10,
            )
    finally:
        cache.delete(lock_key)
    return response


def _wait_for_submission(result_key: str, lock_key: str) -> dict[str, str] | None:
    deadline = time.monotonic() + SUBMIT_LOCK_SECONDS / 2
    while time.monotonic() < deadline:
        time.sleep(0.2)
        result = cache.get(result_key)
        if result is not None or cache.get(lock_key) is None:
            return result
    return None


def _submitted(
    request: HttpRequest, flow: Flow, draft: dict[str, Any], reference: str, token: str
) -> HttpResponse:
    """Forget the draft, remember the case for this browser, show the confirmation."""
    draft_discard(request, flow, draft)
    mine = dict(request.session.get(SUBMITTED_SESSION_KEY) or {})
    mine[reference] = token
    request.session[SUBMITTED_SESSION_KEY] = mine
    return redirect(
        "service-done",
        slug=flow.offer.municipality.slug,
        service_key=flow.offer.service.key,
        reference=reference,
    )


def _file_case(
    request: HttpRequest, flow: Flow, draft: dict[str, Any]
) -> tuple[HttpResponse, Submitted | None]:
    all_fields = fields_of(flow.offer.service.form)
    known = {f.name for f in all_fields}
    try:
        files = draft_files(draft, {f.name for f in all_fields if f.kind.is_file})
    except FileNotFoundError:
        # The stored upload is gone (cleaned up, or another node's disk): ask for it again.
        draft_forget_missing_files(draft)
        draft_save(request, flow, draft)
        return redirect(flow.step_url(flow.incomplete_step(draft) or 1)), None
    try:
        submitted = case_submit(
            municipality=flow.offer.municipality,
            service_key=flow.offer.service.key,
            applicant=draft["applicant"],
            data={k: v for k, v in draft["values"].items() if k in known},
            files=files,
            language=request.LANGUAGE_CODE,
            identity=current_identity(request),
        )
    except SignInRequired as exc:
        # The sign-in ran out between the check page and sending: sign in again, come back.
        return redirect(sign_in_url(exc.extra["trust_level"], flow.check_url)), None
    except (SubmissionInvalid, FileTooLarge, UploadNotScanned) as exc:
        if isinstance(exc, FileTooLarge):
            errors = {exc.field: [too_large_message(exc.limit)]}
        elif isinstance(exc, UploadNotScanned):
            errors = {exc.field: [exc.detail]}
        else:
            errors = {
                key.split(".", 1)[-1]
                if key.startswith("data.")
                else key.replace(".", "_"): messages_
                for key, messages_ in exc.errors.items()
            }
        draft_drop_refused_files(draft, errors)
        draft["errors"] = errors
        draft_save(request, flow, draft)
        messages.error(
            request,
            exc.detail
            if isinstance(exc, UploadNotScanned)
            else _("Some answers need your attention before the request can be sent."),
        )
        return redirect(flow.step_url(min(flow.step_of_field(name) for name in errors))), None
    response = _submitted(request, flow, draft, submitted.case.reference, submitted.access_token)
    return response, submitted


@never_cache
def service_done(request: HttpRequest, slug: str, service_key: str, reference: str) -> HttpResponse:
    """The confirmation, for the browser session that submitted the request only."""
    token = (request.session.get(SUBMITTED_SESSION_KEY) or {}).get(reference)
    if not token:
        raise NotFound("not your submission")
    case = case_for_token(reference, token)
    if case.municipality.slug != slug or case.service.key != service_key:
        raise NotFound("not this service")
    return render(
        request,
        "citizen/done.html",
        {"case": case, "tracking_url": tracking_path(case.reference, token), "access_token": token},
    )
