"""Reads of the catalog and of cases, scoped to who may see them (DESIGN.md, Tenancy).

Views, serializers and tasks never query Case by hand: they come here."""

import base64
import binascii
import datetime
from dataclasses import dataclass, field, replace

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from municipalities.models import Membership, Municipality
from municipalities.selectors import active_delegation, municipality_ids_for
from services.models import Case, CaseEvent, ServiceDefinition, ServiceOffering
from services.references import token_matches

User = AbstractBaseUser | AnonymousUser
DUE_SOON_DAYS = 2


def published_service(key: str) -> ServiceDefinition | None:
    """The newest published version of a service."""
    return (
        ServiceDefinition.objects.filter(key=key, status=ServiceDefinition.Status.PUBLISHED)
        .order_by("-version")
        .first()
    )


@dataclass(frozen=True)
class Offer:
    """What a municipality offers: the service version in force, its fee and its router."""

    municipality: Municipality
    offering: ServiceOffering
    service: ServiceDefinition
    processing_authority: Municipality

    @property
    def unit_fee_cents(self) -> int:
        if self.service.fee_kind == "free":
            return 0
        if self.offering.fee_override_cents is not None:
            return self.offering.fee_override_cents
        return self.service.base_fee_cents


def offers_for(municipality: Municipality, *, on: datetime.date | None = None) -> list[Offer]:
    """Every service the municipality offers today, each with its processing authority."""
    on = on or timezone.localdate()
    offerings = {
        o.service_key: o
        for o in ServiceOffering.objects.filter(municipality=municipality, active=True)
    }
    latest: dict[str, ServiceDefinition] = {}
    for service in ServiceDefinition.objects.filter(
        key__in=offerings, status=ServiceDefinition.Status.PUBLISHED
    ).order_by("key", "-version"):
        latest.setdefault(service.key, service)
    delegations = {
        d.service_key: d.to_municipality
        for d in municipality.delegations_out.select_related("to_municipality")
        .filter(valid_from__lte=on)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .order_by("valid_from")
    }
    offers = [
        Offer(
            municipality=municipality,
            offering=offerings[key],
            service=service,
            processing_authority=delegations.get(key, municipality),
        )
        for key, service in latest.items()
    ]
    return sorted(offers, key=lambda o: o.service.display_name.lower())


def offer_for(
    municipality: Municipality, service_key: str, *, on: datetime.date | None = None
) -> Offer:
    """The offer of one service in one municipality, else Http404."""
    on = on or timezone.localdate()
    offering = ServiceOffering.objects.filter(
        municipality=municipality, service_key=service_key, active=True
    ).first()
    service = published_service(service_key) if offering else None
    if offering is None or service is None:
        raise Http404("service not offered")
    delegation = active_delegation(service_key=service_key, municipality=municipality, on=on)
    return Offer(
        municipality=municipality,
        offering=offering,
        service=service,
        processing_authority=delegation.to_municipality if delegation else municipality,
    )


# --- cases ------------------------------------------------------------------------------


def _case_base() -> QuerySet[Case]:
    return Case.objects.select_related(
        "service", "municipality", "processing_authority", "assigned_to"
    )


def cases_visible_to(user: User) -> QuerySet[Case]:
    """Cases a clerk works: those whose processing authority is one of their municipalities.
    The filing town of a delegated case does not see it (purpose limitation)."""
    ids = municipality_ids_for(user, Membership.Role.CLERK)
    return _cases_processed_by(ids)


def _cases_processed_by(authority_ids: set[int]) -> QuerySet[Case]:
    return _case_base().filter(processing_authority_id__in=authority_ids)


def case_for_clerk(user: User, reference: str) -> Case:
    try:
        return cases_visible_to(user).get(reference=reference)
    except Case.DoesNotExist as exc:
        raise Http404("case not found") from exc


def case_for_token(reference: str, token: str | None) -> Case:
    """The case a citizen's access token opens; a wrong token is a 404 like a wrong
    reference, so references cannot be probed."""
    case = _case_base().filter(reference=reference).first()
    if case is None or not token_matches(token, case.access_token_hash):
        raise Http404("case not found")
    return case


def case_for_request(user: User, reference: str, token: str | None) -> tuple[Case, str]:
    """The case for an API caller and their role on it: ("clerk" | "applicant")."""
    if token:
        return case_for_token(reference, token), "applicant"
    return case_for_clerk(user, reference), "clerk"


def events_for(case: Case, *, public_only: bool) -> QuerySet[CaseEvent]:
    events = case.events.select_related("actor").order_by("at", "id")
    if public_only:
        events = events.filter(visibility=CaseEvent.Visibility.PUBLIC)
    return events


@dataclass(frozen=True)
class QueueFilters:
    status: str | None = None
    service: str | None = None
    municipality: str | None = None
    assigned: str | None = None  # "me" | "none"
    overdue: bool = False


# Cases without a due date (a prepaid fee not yet paid) come last on every database.
QUEUE_ORDER = (F("due_date").asc(nulls_last=True), F("id").asc())
# What a queue row shows. The service's form and the answers are large JSON documents;
# decoding them for 50 rows costs more than the query itself.
QUEUE_COLUMNS = (
    "reference",
    "status",
    "applicant_name",
    "due_date",
    "paused_at",
    "submitted_at",
    "fee_cents",
    "municipality__slug",
    "municipality__name",
    "processing_authority__slug",
    "processing_authority__name",
    "service__key",
    "service__version",
    "service__name",
    "assigned_to__username",
)


def queue_for(user: User, *, filters: QueueFilters) -> QuerySet[Case]:
    """The clerk's queue, sorted by due date, with the columns of a queue row (QUEUE_COLUMNS;
    anything else is loaded row by row). Filters per API.md."""
    return _queue_filtered(cases_visible_to(user), user, filters).only(*QUEUE_COLUMNS)


def _queue_filtered(cases: QuerySet[Case], user: User, filters: QueueFilters) -> QuerySet[Case]:
    if filters.status:
        cases = cases.filter(status=filters.status)
    else:
        cases = cases.filter(status__in=Case.OPEN_STATUSES)
    if filters.service:
        cases = cases.filter(service__key=filters.service)
    if filters.municipality:
        cases = cases.filter(municipality__slug=filters.municipality)
    if filters.assigned == "me":
        cases = cases.filter(assigned_to=user)
    elif filters.assigned == "none":
        cases = cases.filter(assigned_to__isnull=True)
    if filters.overdue:
        cases = cases.filter(
            due_date__lt=timezone.localdate(),
            paused_at__isnull=True,
            status__in=Case.OPEN_STATUSES,
        )
    return cases.order_by(*QUEUE_ORDER)


# --- queue pages (keyset pagination on (due_date, id)) -----------------------------------


@dataclass(frozen=True)
class QueuePosition:
    """A row's place in the queue order; the cursor of the next/previous page."""

    due_date: datetime.date | None
    id: int

    @classmethod
    def of(cls, case: Case) -> "QueuePosition":
        return cls(case.due_date, case.pk)

    def encode(self) -> str:
        raw = f"{self.due_date.isoformat() if self.due_date else '-'}.{self.id}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> "QueuePosition":
        """Raises ValueError for anything that is not a cursor this code made."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            due, pk = raw.split(".")
            return cls(None if due == "-" else datetime.date.fromisoformat(due), int(pk))
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise ValueError("invalid cursor") from exc

    def after(self) -> Q:
        if self.due_date is None:
            return Q(due_date__isnull=True, id__gt=self.id)
        return (
            Q(due_date__gt=self.due_date)
            | Q(due_date=self.due_date, id__gt=self.id)
            | Q(due_date__isnull=True)
        )

    def before(self) -> Q:
        if self.due_date is None:
            return Q(due_date__isnull=False) | Q(due_date__isnull=True, id__lt=self.id)
        return Q(due_date__lt=self.due_date) | Q(due_date=self.due_date, id__lt=self.id)


@dataclass(frozen=True)
class QueuePage:
    rows: list[Case]
    next: QueuePosition | None  # the page after starts after this row
    previous: QueuePosition | None  # the page before ends before this row


def queue_page(
    cases: QuerySet[Case],
    *,
    after: QueuePosition | None = None,
    before: QueuePosition | None = None,
    size: int = 50,
) -> QueuePage:
    """One page of a queue in QUEUE_ORDER: one query, however deep the page."""
    if before is not None:
        backwards = cases.filter(before.before()).order_by(
            F("due_date").desc(nulls_first=True), F("id").desc()
        )
        rows = list(backwards[: size + 1])
        more = len(rows) > size
        rows = rows[:size][::-1]
        return QueuePage(
            rows=rows,
            next=QueuePosition.of(rows[-1]) if rows else None,
            previous=QueuePosition.of(rows[0]) if more else None,
        )
    if after is not None:
        cases = cases.filter(after.after())
    rows = list(cases[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return QueuePage(
        rows=rows,
        next=QueuePosition.of(rows[-1]) if more else None,
        previous=QueuePosition.of(rows[0]) if after is not None and rows else None,
    )


def due_soon_limit(today: datetime.date | None = None) -> datetime.date:
    """The last due date that counts as "due soon" (within DUE_SOON_DAYS working days)."""
    from services.calendar import add_working_days

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


@dataclass(frozen=True)
class QueueOverview:
    """Everything the workspace queue page shows, read with a fixed number of queries."""

    authority_ids: set[int]
    page: QueuePage
    counts: dict[str, int] = field(default_factory=dict)
    filing_towns: list[Municipality] = field(default_factory=list)
    services: list[ServiceDefinition] = field(default_factory=list)


def queue_overview_for(
    user: User,
    *,
    filters: QueueFilters,
    after: QueuePosition | None = None,
    before: QueuePosition | None = None,
    size: int = 50,
) -> QueueOverview:
    """The queue page of a clerk: one page of rows, the open cases counted per status (with
    the other filters applied), and the choices of the filter form. Empty for non-clerks."""
    ids = municipality_ids_for(user, Membership.Role.CLERK)
    if not ids:
        return QueueOverview(authority_ids=ids, page=QueuePage([], None, None))
    base = _cases_processed_by(ids)
    page = queue_page(
        _queue_filtered(base, user, filters).only(*QUEUE_COLUMNS),
        after=after,
        before=before,
        size=size,
    )
    unfiltered_status = _queue_filtered(base, user, replace(filters, status=None))
    counts = {
        row["status"]: row["n"]
        for row in unfiltered_status.order_by().values("status").annotate(n=Count("id"))
    }
    towns, services = cache.get_or_set(
        f"queue-filter-choices:{','.join(map(str, sorted(ids)))}",
        lambda: _queue_filter_choices(ids),
        timeout=FILTER_CHOICES_SECONDS,
    )
    return QueueOverview(
        authority_ids=ids,
        page=page,
        counts=counts,
        filing_towns=towns,
        services=sorted(services, key=lambda s: s.display_name.lower()),
    )


# The filter form's choices change only when the catalog or a delegation does; caching them
# briefly keeps the queue page at a fixed handful of queries.
FILTER_CHOICES_SECONDS = 300


def _queue_filter_choices(
    ids: set[int],
) -> tuple[list[Municipality], list[ServiceDefinition]]:
    # Filing towns: the authority itself and every town that ever delegated to it (cases
    # of an expired delegation stay in the queue until closed).
    towns = list(
        Municipality.objects.filter(Q(id__in=ids) | Q(delegations_out__to_municipality_id__in=ids))
        .only("slug", "name")
        .distinct()
        .order_by("name")
    )
    services: dict[str, ServiceDefinition] = {}
    for service in (
        ServiceDefinition.objects.filter(status=ServiceDefinition.Status.PUBLISHED)
        .only("key", "version", "name")
        .order_by("key", "-version")
    ):
        services.setdefault(service.key, service)
    return towns, list(services.values())


def cases_due_for_digest(*, until: datetime.date) -> QuerySet[Case]:
    """Open cases whose running clock ends on or before `until`, for the daily digest (a
    system job: it mails each authority only its own cases)."""
    return (
        Case.objects.select_related("service", "municipality", "processing_authority")
        .filter(status__in=Case.OPEN_STATUSES, paused_at__isnull=True, due_date__lte=until)
        .order_by("processing_authority_id", *QUEUE_ORDER)
    )
