"""The process rules of every case: one table, read by code and tests alike.

Statuses are the same for every service (DESIGN.md). Each row says which action moves a
case from which statuses to which, who may take it, and which process-step trigger fires."""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from services.models import Case

S = Case.Status


class Actor(StrEnum):
    CLERK = "clerk"  # a clerk of the case's processing authority
    APPLICANT = "applicant"  # whoever holds the case's access token
    SYSTEM = "system"  # the portal itself (payments, expiry)


class Trigger(StrEnum):
    """Moments at which process steps run (see services/steps.py)."""

    SUBMITTED = "submitted"
    INFO_REQUESTED = "info_requested"
    APPLICANT_RESPONDED = "applicant_responded"
    APPROVED = "approved"
    REJECTED = "rejected"


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
)

ACTIONS = {t.action: t for t in TRANSITIONS}
CLERK_ACTIONS = tuple(t.action for t in TRANSITIONS if t.actor == Actor.CLERK)
APPLICANT_ACTIONS = tuple(t.action for t in TRANSITIONS if t.actor == Actor.APPLICANT)
# Actions a caller may name in the API (system actions are internal).
PUBLIC_ACTIONS = CLERK_ACTIONS + APPLICANT_ACTIONS

ACTION_LABELS = {
    "claim": _("Claim"),
    "unassign": _("Release"),
    "note": _("Add internal note"),
    "request_info": _("Request information"),
    "approve": _("Approve"),
    "reject": _("Reject"),
    "respond": _("Send answer"),
    "withdraw": _("Withdraw request"),
    "payment_received": _("Payment received"),
}


class UnknownAction(Exception):
    pass


class TransitionNotAllowed(Exception):
    """The action exists but not from the case's current status (answered with 409)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def transition_for(action: str) -> Transition:
    try:
        return ACTIONS[action]
    except KeyError as exc:
        raise UnknownAction(action) from exc


def allowed_actions(status: str, actor: Actor) -> list[str]:
    """The actions `actor` may take on a case in `status`, in table order."""
    return [t.action for t in TRANSITIONS if t.actor == actor and status in t.sources]


def check_allowed(transition: Transition, status: str) -> None:
    if status not in transition.sources:
        raise TransitionNotAllowed(
            str(
                _("The action “%(action)s” is not possible while the case is “%(status)s”.")
                % {"action": ACTION_LABELS[transition.action], "status": S(status).label}
            )
        )
