"""The citizen's tracking page (docs/api.md, Pages: /track/<reference>/?access_token=…):
status, what happens next, the public timeline and documents, the answer to a question,
withdrawal, and the fee."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cases.models import Actor, Case, CaseEvent
from cases.selectors import case_for_token, events_for
from cases.services import case_apply_action
from cases.workflow import ActionNotPermitted, TransitionNotAllowed, UnknownAction, allowed_actions
from citizen.uploads import too_large_message, with_upload_field_errors
from core.errors import FileTooLarge, Invalid, NotFound
from core.scanning import UploadNotScanned
from core.throttling import throttle

# The timeline as the applicant reads it (the clerk's page uses the event types' labels).
EVENT_LABELS = {
    CaseEvent.Type.SUBMITTED: gettext_lazy("Request submitted"),
    CaseEvent.Type.WITHDRAW: gettext_lazy("You withdrew the request"),
    CaseEvent.Type.RESPOND: gettext_lazy("You answered"),
    CaseEvent.Type.REQUEST_INFO: gettext_lazy("The authority asked you for more information"),
    CaseEvent.Type.APPROVE: gettext_lazy("Request approved"),
    CaseEvent.Type.REJECT: gettext_lazy("Request rejected"),
    CaseEvent.Type.PAYMENT_RECEIVED: gettext_lazy("Payment received"),
    CaseEvent.Type.PAYMENT: gettext_lazy("Payment"),
    CaseEvent.Type.SEND_NEW_LINK: gettext_lazy(
        "The authority sent you a new link to this page; earlier links no longer open it"
    ),
}


def _event_text(event: CaseEvent) -> str:
    if event.type in EVENT_LABELS:
        return str(EVENT_LABELS[event.type])
    if event.to_status:
        return _("Status: %(status)s") % {"status": Case.Status(event.to_status).label}
    try:
        return str(CaseEvent.Type(event.type).label)
    except ValueError:
        return event.type


STATUS_EXPLANATIONS = {
    Case.Status.SUBMITTED: gettext_lazy("Your request has arrived and is being registered."),
    Case.Status.AWAITING_PAYMENT: gettext_lazy(
        "Your request will be reviewed once the fee has been paid."
    ),
    Case.Status.IN_REVIEW: gettext_lazy("The authority is reviewing your request."),
    Case.Status.AWAITING_APPLICANT: gettext_lazy(
        "The authority needs more information from you. Please answer below."
    ),
    Case.Status.APPROVED: gettext_lazy("Your request has been approved."),
    Case.Status.REJECTED: gettext_lazy(
        "Your request has been rejected. The reason is shown in the history."
    ),
    Case.Status.WITHDRAWN: gettext_lazy("You have withdrawn this request."),
}


# What the applicant can expect or do next, per status.
NEXT_STEPS = {
    Case.Status.SUBMITTED: gettext_lazy(
        "You receive a confirmation by e-mail; then the authority starts working on your request."
    ),
    Case.Status.AWAITING_PAYMENT: gettext_lazy(
        "Please pay the fee below. The processing time starts when the payment has arrived."
    ),
    Case.Status.IN_REVIEW: gettext_lazy(
        "The authority reviews your request. If it needs anything from you, you receive an "
        "e-mail and its question appears on this page."
    ),
    Case.Status.AWAITING_APPLICANT: gettext_lazy(
        "Please answer the question below. The processing time is paused until your answer arrives."
    ),
    Case.Status.APPROVED: gettext_lazy(
        "Nothing more to do. A decision document, if there is one, is listed below."
    ),
    Case.Status.REJECTED: gettext_lazy(
        "The reason is shown in the history below. If you disagree, contact the authority; a "
        "written decision tells you how to appeal."
    ),
    Case.Status.WITHDRAWN: gettext_lazy("Nothing more to do."),
}

#: Statuses in which a decision is still to come.
OPEN = {
    Case.Status.SUBMITTED,
    Case.Status.AWAITING_PAYMENT,
    Case.Status.IN_REVIEW,
    Case.Status.AWAITING_APPLICANT,
}


def _cookie_name(reference: str) -> str:
    return f"track-{reference}"


def _token_from_cookie(request: HttpRequest, reference: str) -> str:
    return request.get_signed_cookie(
        _cookie_name(reference),
        default="",
        salt=f"track:{reference}",
        max_age=settings.TRACKING_COOKIE_SECONDS,
    )


def _remember(response: HttpResponse, reference: str, token: str) -> HttpResponse:
    """A signed, short-lived cookie holding the case's token, sent only to that case's
    pages (its path), never readable by scripts."""
    response.set_signed_cookie(
        _cookie_name(reference),
        token,
        salt=f"track:{reference}",
        max_age=settings.TRACKING_COOKIE_SECONDS,
        path=reverse("track", args=[reference]),
        secure=settings.SESSION_COOKIE_SECURE,  # like the session: HTTPS in production
        httponly=True,
        samesite="Lax",
    )
    return response


def _back_to_page(reference: str, token: str) -> HttpResponse:
    return _remember(redirect("track", reference=reference), reference, token)


@never_cache
@require_http_methods(["GET", "POST"])
@throttle("tracking")
@with_upload_field_errors
def track(request: HttpRequest, reference: str) -> HttpResponse:
    """The citizen's status page. The link in the e-mails carries the access token in the
    query string: it is exchanged for a signed cookie scoped to this case and the browser
    is sent (302) to the address without it, so the token stays out of the address bar,
    the history, referrers and access logs. A form may also post it as a hidden field. A
    wrong token is a 404 like an unknown reference."""
    if request.method == "GET" and "access_token" in request.GET:
        token = request.GET["access_token"]
        case_for_token(reference, token)
        return _back_to_page(reference, token)
    token = request.POST.get("access_token", "") if request.method == "POST" else ""
    token = token or _token_from_cookie(request, reference)
    case = case_for_token(reference, token)
    actions = allowed_actions(case.status, Actor.APPLICANT)
    errors: dict[str, list[str]] = {}
    posted: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        posted = {"comment": request.POST.get("comment", ""), "action": action}
        if action not in actions:
            messages.error(request, _("This is no longer possible for your request."))
            return _back_to_page(case.reference, token)
        errors = _apply_citizen_action(request, case, action)
        if errors is None:
            messages.error(request, _("This is no longer possible for your request."))
            return _back_to_page(case.reference, token)
        if not errors:
            done = (
                _("Your request has been withdrawn.")
                if action == "withdraw"
                else _("Your answer has been sent.")
            )
            messages.success(request, done)
            return _back_to_page(case.reference, token)
    summary_labels = {
        "confirm": _("Confirmation"),
        "comment": _("Your answer"),
        "files": _("Documents"),
    }
    return render(
        request,
        "citizen/track.html",
        {
            "case": case,
            "access_token": token,
            "status_label": Case.Status(case.status).label,
            "status_explanation": STATUS_EXPLANATIONS.get(case.status, ""),
            "next_step": NEXT_STEPS.get(case.status, ""),
            "decision_expected": case.due_date if case.status in OPEN else None,
            "decision_open": case.status in OPEN,
            "events": [
                {"event": e, "text": _event_text(e)} for e in events_for(case, public_only=True)
            ],
            "attachments": case.attachments.filter(public=True).order_by("uploaded_at", "id"),
            "can_withdraw": "withdraw" in actions,
            "can_respond": "respond" in actions,
            "errors": errors,
            "error_summary": [
                {
                    "href": f"#field-{name}",
                    "label": summary_labels.get(name, name),
                    "message": message,
                }
                for name, messages_ in errors.items()
                for message in messages_
            ],
            "posted": posted,
            "max_megabytes": 10,
        },
    )


def _apply_citizen_action(
    request: HttpRequest, case: Case, action: str
) -> dict[str, list[str]] | None:
    """Field errors ({} when done), or None when the case moved on meanwhile."""
    if action == "withdraw" and request.POST.get("confirm") != "on":
        return {"confirm": [_("Tick the box to confirm that you want to withdraw the request.")]}
    files = request.FILES.getlist("files") if action == "respond" else []
    if "files" in getattr(request, "oversized_uploads", ()):
        return {"files": [too_large_message(settings.UPLOAD_MAX_BYTES)]}
    try:
        case_apply_action(
            case=case,
            action=action,
            actor_kind=Actor.APPLICANT,
            comment=request.POST.get("comment", "") if action == "respond" else "",
            files={"files": files} if files else None,
        )
    except FileTooLarge as exc:
        return {"files": [too_large_message(exc.limit)]}
    except UploadNotScanned as exc:
        return {"files": [exc.detail]}
    except (TransitionNotAllowed, UnknownAction, ActionNotPermitted):
        return None
    except Invalid as exc:
        return {
            key.removeprefix("files."): list(messages_) for key, messages_ in exc.errors.items()
        }
    return {}


@never_cache
@throttle("tracking")
def track_download(request: HttpRequest, reference: str, attachment_id: int) -> FileResponse:
    """A public attachment of the case (upload, receipt, decision) as a download."""
    token = request.GET.get("access_token", "") or _token_from_cookie(request, reference)
    return document_response(case_for_token(reference, token), attachment_id)


def tracking_page_for_applicant(case: Case) -> HttpResponse:
    """To the case's tracking page for someone known to be its applicant (signed in, Meine
    Anträge): the token travels in the page's cookie, never in an address."""
    return _back_to_page(case.reference, case.access_token)


def document_response(case: Case, attachment_id: int) -> FileResponse:
    """A public attachment of a case the caller may open, as a download; 404 otherwise."""
    attachment = case.attachments.servable().filter(public=True, pk=attachment_id).first()
    if attachment is None:
        raise NotFound("no such document")
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise NotFound("document missing") from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
