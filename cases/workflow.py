"""The process rules of every case: one table, read by code and tests alike.

Statuses are the same for every service (docs/architecture.md, Cases and the workflow).
Each row says which action moves a case from which statuses to which, who may take it, and
which process-step trigger fires."""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from cases.models import Actor, Case, CaseEvent
from core.errors import Conflict, Invalid, NotFound

S = Case.Status


class Trigger(StrEnum):
    """Moments at which process steps run (see cases/steps.py)."""

    SUBMITTED = "submitted"
    INFO_REQUESTED = "info_requested"
    APPLICANT_RESPONDED = "applicant_responded"
    APPROVED = "approved"
    REJECTED = "rejected"
    PAYMENT_OVERDUE = "payment_overdue"  # payments: a transfer has not arrived in time
    LINK_RENEWED = "link_renewed"  # a clerk sent the applicant a new access link


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    actor: Actor
    target: str | None  # None: the status stays
    trigger: Trigger | None = None
    internal: bool = False  # the event is hidden from the applicant
    needs_comment: bool = False


OPEN = Case.OPEN_STATUSES
CLOSED = tuple(status for status in S if status not in OPEN)
DECIDED = (S.APPROVED, S.REJECTED)  # closed with a decision (not withdrawn or expired)

TRANSITIONS: tuple[Transition, ...] = (
    Transition("claim", OPEN, Actor.CLERK, None, internal=True),
    Transition("unassign", OPEN, Actor.CLERK, None, internal=True),
    Transition("note", OPEN + CLOSED, Actor.CLERK, None, internal=True, needs_comment=True),
    Transition(
        "request_info",
        (S.IN_REVIEW,),
        Actor.CLERK,
        S.AWAITING_APPLICANT,
        Trigger.INFO_REQUESTED,
        needs_comment=True,
    ),
    Transition("approve", (S.IN_REVIEW,), Actor.CLERK, S.APPROVED, Trigger.APPROVED),
    Transition(
        "reject",
        (S.IN_REVIEW, S.AWAITING_APPLICANT, S.AWAITING_PAYMENT),
        Actor.CLERK,
        S.REJECTED,
        Trigger.REJECTED,
        needs_comment=True,
    ),
    Transition(
        "respond",
        (S.AWAITING_APPLICANT,),
        Actor.APPLICANT,
        S.IN_REVIEW,
        Trigger.APPLICANT_RESPONDED,
        needs_comment=True,
    ),
    Transition("withdraw", OPEN, Actor.APPLICANT, S.WITHDRAWN),
    Transition("payment_received", (S.AWAITING_PAYMENT,), Actor.SYSTEM, S.IN_REVIEW),
    # A new salt revokes the old link; the applicant gets the new one by e-mail (ADR 0003).
    Transition("send_new_link", OPEN + CLOSED, Actor.CLERK, None, Trigger.LINK_RENEWED),
)

ACTIONS = {t.action: t for t in TRANSITIONS}
CLERK_ACTIONS = tuple(t.action for t in TRANSITIONS if t.actor == Actor.CLERK)
APPLICANT_ACTIONS = tuple(t.action for t in TRANSITIONS if t.actor == Actor.APPLICANT)
# Actions a caller may name in the API (system actions are internal).
PUBLIC_ACTIONS = CLERK_ACTIONS + APPLICANT_ACTIONS

# Every action is also the type of the event it records; the label is the event type's.
ACTION_LABELS = {action: CaseEvent.Type(action).label for action in ACTIONS}


class UnknownAction(Invalid):
    """No such action (400, naming the field `action`)."""

    def __init__(self, action: str) -> None:
        super().__init__(errors={"action": [_("Unknown action.")]})
        self.action = action


class ActionNotPermitted(NotFound):
    """The caller's role may not take this action: answered like a missing case (404)."""


class TransitionNotAllowed(Conflict):
    """The action exists but not from the case's current status (409)."""


def transition_for(action: str) -> Transition:
    try:
        return ACTIONS[action]
    except KeyError as exc:
        raise UnknownAction(action) from exc


def allowed_actions(status: str, actor: Actor) -> list[str]:
    """The actions `actor` may take on a case in `status`, in table order."""
    return [t.action for t in TRANSITIONS if t.actor == actor and status in t.sources]


def check_allowed(transition: Transition, status: str) -> None:
    """Refuse a transition from `status`; the 409 carries that status (the case's status
    now, when called under the row lock) under contract v1's name `status`."""
    if status not in transition.sources:
        raise TransitionNotAllowed(
            str(
                _("The action “%(action)s” is not possible while the case is “%(status)s”.")
                % {"action": ACTION_LABELS[transition.action], "status": S(status).label}
            ),
            extra={"status": status},
        )
