"""Reads of cases, scoped to who may see them (docs/architecture.md, Tenancy).

Views, serializers and tasks never query Case by hand: they come here (and to
cases/queue.py for the clerk's queue). A clerk sees the cases of the processing authorities
they work for (`core.tenancy.Scope.clerk_of`); the filing town of a delegated case does
not see it (purpose limitation); a citizen sees one case with its access token."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from cases.calendar import add_working_days
from cases.models import Actor, Case, CaseEvent
from cases.references import token_opens
from core.errors import NotFound
from core.tenancy import scope_for

User = AbstractBaseUser | AnonymousUser
DUE_SOON_DAYS = 2
# Cases without a due date (a prepaid fee not yet paid) come last on every database.
QUEUE_ORDER = (F("due_date").asc(nulls_last=True), F("id").asc())


def case_base() -> QuerySet[Case]:
    """Cases with what every case page and answer shows, not yet scoped: callers scope it."""
    return Case.objects.select_related(
        "service", "municipality", "processing_authority", "assigned_to"
    )


def cases_visible_to(user: User) -> QuerySet[Case]:
    """Cases a clerk works: those whose processing authority is one of their municipalities.
    The filing town of a delegated case does not see it (purpose limitation)."""
    return cases_processed_by(scope_for(user).clerk_of)


def cases_processed_by(authority_ids: frozenset[int] | set[int]) -> QuerySet[Case]:
    return case_base().filter(processing_authority_id__in=authority_ids)


def case_for_clerk(user: User, reference: str) -> Case:
    try:
        return cases_visible_to(user).get(reference=reference)
    except Case.DoesNotExist as exc:
        raise NotFound("case not found") from exc


def case_for_token(reference: str, token: str | None) -> Case:
    """The case a citizen's access token opens; a wrong token is a 404 like a wrong
    reference, so references cannot be probed."""
    # get(), not filter().first(): the reference is unique, and first() orders by the
    # primary key, which costs Django more to compile for the case's four joined tables
    # than the query costs to run (docs/performance.md, round 4).
    try:
        case = case_base().get(reference=reference)
    except Case.DoesNotExist:
        case = None
    if case is None or not token_opens(token, reference=case.reference, salt=case.token_salt):
        raise NotFound("case not found")
    return case


def case_for_request(user: User, reference: str, token: str | None) -> tuple[Case, Actor]:
    """The case for an API caller and their role on it (Actor.CLERK or Actor.APPLICANT)."""
    if token:
        return case_for_token(reference, token), Actor.APPLICANT
    return case_for_clerk(user, reference), Actor.CLERK


def case_for_fee_desk(user: User, reference: str) -> Case:
    """A case whose fee a clerk may take at the desk or refund: clerks of its processing
    authority (they work it and meet the citizen) and of the filing town (the payee)."""
    ids = scope_for(user).clerk_of
    case = (
        case_base()
        .filter(reference=reference)
        .filter(Q(processing_authority_id__in=ids) | Q(municipality_id__in=ids))
        .first()
    )
    if case is None:
        raise NotFound("case not found")
    return case


def events_for(case: Case, *, public_only: bool, with_actors: bool = False) -> QuerySet[CaseEvent]:
    """A case's events in order. `with_actors` joins the acting users, for pages that name
    them (`CaseEvent.actor_text`); the citizen's pages and the API show `actor_label`."""
    events = case.events.order_by("at", "id")
    if with_actors:
        events = events.select_related("actor")
    if public_only:
        events = events.filter(visibility=CaseEvent.Visibility.PUBLIC)
    return events


def due_soon_limit(today: datetime.date | None = None) -> datetime.date:
    """The last due date that counts as "due soon" (within DUE_SOON_DAYS working days)."""
    return add_working_days(today or timezone.localdate(), DUE_SOON_DAYS)


def deadline_flag(case: Case, *, today: datetime.date, soon: datetime.date) -> str:
    """The deadline state of an open case: "overdue", "due_soon", "paused" or "" (none)."""
    if not case.is_open or case.due_date is None:
        return ""
    if case.paused_at is not None:
        return "paused"
    if case.due_date < today:
        return "overdue"
    if case.due_date <= soon:
        return "due_soon"
    return ""


def cases_due_for_digest(*, until: datetime.date) -> QuerySet[Case]:
    """Open cases whose running clock ends on or before `until`, for the daily digest (a
    system job: it mails each authority only its own cases)."""
    return (
        Case.objects.select_related("service", "municipality", "processing_authority")
        .filter(status__in=Case.OPEN_STATUSES, paused_at__isnull=True, due_date__lte=until)
        .order_by("processing_authority_id", *QUEUE_ORDER)
    )


def cases_of_applicant(pseudonym: str) -> QuerySet[Case]:
    """Every case a citizen filed signed in with BundID, in any town or at the district,
    newest first ("Meine Anträge"). The key is the persistent pseudonym the identity
    provider confirmed in this session (docs/identity.md); without one, nothing."""
    if not pseudonym:
        return Case.objects.none()
    return (
        case_base()
        .filter(applicant_pseudonym=pseudonym)
        .prefetch_related("attachments")
        .order_by("-submitted_at", "-id")
    )
