"""The clerks' pages (docs/api.md, Pages: /workspace/…). Thin: a selector or a service call,
then a template. Who may see what is decided in cases/selectors.py, never here."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from cases import queue as queues
from cases import selectors
from cases.models import Actor, Case, CaseEvent
from cases.queue import QueueFilters, QueuePosition
from cases.services import case_apply_action
from cases.workflow import (
    ACTION_LABELS,
    ActionNotPermitted,
    TransitionNotAllowed,
    UnknownAction,
    allowed_actions,
    transition_for,
)
from catalog.forms.conditions import shown_steps
from core.errors import Forbidden, Invalid, NotFound

PAGE_SIZE = 50


class QueueFilterForm(forms.Form):
    """The filters of GET /api/v1/queue/ as a GET form. Unknown slugs simply match nothing."""

    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All open cases")), *Case.Status.choices],
    )
    service = forms.SlugField(label=gettext_lazy("Service"), required=False)
    municipality = forms.SlugField(label=gettext_lazy("Filed in"), required=False)
    assigned = forms.ChoiceField(
        label=gettext_lazy("Assigned"),
        required=False,
        choices=[
            ("", gettext_lazy("Anyone or no one")),
            ("me", gettext_lazy("Assigned to me")),
            ("none", gettext_lazy("Not assigned")),
        ],
    )
    overdue = forms.BooleanField(label=gettext_lazy("Only overdue cases"), required=False)

    def filters(self) -> QueueFilters:
        if not self.is_valid():
            return QueueFilters()
        data = self.cleaned_data
        return QueueFilters(
            status=data["status"] or None,
            service=data["service"] or None,
            municipality=data["municipality"] or None,
            assigned=data["assigned"] or None,
            overdue=bool(data["overdue"]),
        )


def _position(raw: str | None) -> QueuePosition | None:
    if not raw:
        return None
    try:
        return QueuePosition.decode(raw)
    except ValueError:
        return None  # a mangled link shows the first page rather than an error


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else QueueFilters()
    overview = queues.queue_overview_for(
        request.user,
        filters=filters,
        after=_position(request.GET.get("after")),
        before=_position(request.GET.get("before")),
        size=PAGE_SIZE,
    )
    if not overview.authority_ids:
        raise Forbidden(
            _(
                "The case queue is for clerks of a town or of the district. Your account is "
                "not a clerk of any authority."
            )
        )
    today = timezone.localdate()
    soon = selectors.due_soon_limit(today)
    rows = [
        {
            "case": case,
            "flag": selectors.deadline_flag(case, today=today, soon=soon),
            "delegated": case.municipality_id != case.processing_authority_id,
        }
        for case in overview.page.rows
    ]
    status_counts = [
        {"status": value, "label": label, "count": overview.counts.get(value, 0)}
        for value, label in Case.Status.choices
        if value in Case.OPEN_STATUSES
    ]
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    count_query = query.copy()
    count_query.pop("status", None)
    return render(
        request,
        "workspace/queue.html",
        {
            "form": form,
            "filters": filters,
            "rows": rows,
            "status_counts": status_counts,
            "open_total": sum(c["count"] for c in status_counts),
            "filing_towns": overview.filing_towns,
            "services": overview.services,
            "next_url": _page_url(query, "after", overview.page.next),
            "previous_url": _page_url(query, "before", overview.page.previous),
            "count_query": count_query.urlencode(),
        },
    )


def _page_url(query: Any, key: str, position: QueuePosition | None) -> str | None:
    if position is None:
        return None
    query = query.copy()
    query[key] = position.encode()
    return f"{reverse('workspace')}?{query.urlencode()}"


# --- case page --------------------------------------------------------------------------

# The text box each action shows (actions missing here take no text).
COMMENT_LABELS = {
    "note": gettext_lazy("Internal note (only clerks see it)"),
    "request_info": gettext_lazy("Your question to the applicant (sent by e-mail)"),
    "approve": gettext_lazy("Remarks for the applicant (optional)"),
    "reject": gettext_lazy("Reason for the rejection (sent to the applicant)"),
}


@dataclass(frozen=True)
class ActionError:
    action: str
    message: str
    comment: str = ""


@login_required
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = selectors.case_for_clerk(request.user, reference)
    if request.method == "GET":
        return _case_page(request, case)
    action = request.POST.get("action", "")
    comment = request.POST.get("comment", "")
    try:
        case_apply_action(
            case=case,
            action=action,
            actor_kind=Actor.CLERK,
            actor=request.user,
            comment=comment,
        )
    except (UnknownAction, ActionNotPermitted):
        return _case_page(
            request,
            case,
            error=ActionError(action, _("This action does not exist for clerks."), comment),
            status=Invalid.status,
        )
    except TransitionNotAllowed as exc:
        # Someone else acted first, or the page was stale: say so, keep what was typed.
        case = selectors.case_for_clerk(request.user, reference)
        return _case_page(
            request, case, error=ActionError(action, exc.detail, comment), status=exc.status
        )
    except Invalid as exc:
        message = " ".join(exc.errors.get("comment", exc.messages))
        return _case_page(
            request, case, error=ActionError(action, message, comment), status=exc.status
        )
    messages.success(
        request,
        _("Done: %(action)s.") % {"action": ACTION_LABELS.get(action, action)},
    )
    return redirect("workspace-case", reference=case.reference)


def _answers(case: Case, attachments: list) -> list[dict[str, Any]]:
    """The answers grouped by the steps of the form version the case was filed under."""
    groups = []
    for step in shown_steps(case.service.form, case.data):  # the questions that applied
        rows = []
        for field in step.fields:
            if field.kind.is_file:
                files = [a for a in attachments if a.field_name == field.name]
                rows.append({"label": field.label, "files": files, "value": ""})
            else:
                value = field.display(case.data.get(field.name))
                rows.append({"label": field.label, "files": None, "value": value})
        groups.append({"title": step.title, "rows": rows})
    return groups


def _timeline(events: list[CaseEvent]) -> list[dict[str, Any]]:
    statuses = dict(Case.Status.choices)
    types = dict(CaseEvent.Type.choices)
    return [
        {
            "event": event,
            "label": types.get(event.type, event.type),
            "from_label": statuses.get(event.from_status, ""),
            "to_label": statuses.get(event.to_status, ""),
            "internal": event.visibility == CaseEvent.Visibility.INTERNAL,
            "actor": event.actor_text,
        }
        for event in events
    ]


def _case_page(
    request: HttpRequest, case: Case, *, error: ActionError | None = None, status: int = 200
) -> HttpResponse:
    attachments = list(case.attachments.all())
    actions = allowed_actions(case.status, Actor.CLERK)
    mine = case.assigned_to_id == request.user.pk
    # Claiming a case one holds, or releasing one nobody holds, would only add noise.
    if mine:
        actions = [a for a in actions if a != "claim"]
    if case.assigned_to_id is None:
        actions = [a for a in actions if a != "unassign"]
    if case.purged_at is not None:  # nobody left to send a link to
        actions = [a for a in actions if a != "send_new_link"]
    today = timezone.localdate()
    return render(
        request,
        "workspace/case.html",
        {
            "case": case,
            "flag": selectors.deadline_flag(
                case, today=today, soon=selectors.due_soon_limit(today)
            ),
            "delegated": case.municipality_id != case.processing_authority_id,
            "fee_euros": Decimal(case.fee_cents) / 100,
            "answers": _answers(case, attachments),
            "attachments": attachments,
            "quarantined": [a for a in attachments if a.quarantined_at],
            "timeline": _timeline(
                list(selectors.events_for(case, public_only=False, with_actors=True))
            ),
            "actions": [
                {
                    "name": name,
                    "label": ACTION_LABELS[name],
                    "comment_label": COMMENT_LABELS.get(name),
                    "needs_comment": transition_for(name).needs_comment,
                    "error": error if error and error.action == name else None,
                }
                for name in actions
            ],
            "error": error,
            "assigned_to_me": mine,
        },
        status=status,
    )


@login_required
def case_file(request: HttpRequest, reference: str, attachment_id: int) -> FileResponse:
    case = selectors.case_for_clerk(request.user, reference)
    attachment = case.attachments.servable().filter(pk=attachment_id).first()
    if attachment is None:  # also a file the virus check quarantined: never served
        raise NotFound("attachment not found")
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise NotFound("file missing") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
