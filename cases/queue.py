"""The clerk's queue: open cases of the caller's processing authorities by due date, with
filters and keyset pagination (docs/api.md, GET /api/v1/queue/; the workspace page)."""

from __future__ import annotations

import base64
import binascii
import datetime
from dataclasses import dataclass, field, replace

from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from cases.models import Case
from cases.selectors import QUEUE_ORDER, User, cases_processed_by, cases_visible_to
from catalog.models import ServiceDefinition
from core.tenancy import scope_for
from municipalities.models import Municipality


@dataclass(frozen=True)
class QueueFilters:
    status: str | None = None
    service: str | None = None
    municipality: str | None = None
    assigned: str | None = None  # "me" | "none"
    overdue: bool = False


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
    anything else is loaded row by row). Filters per docs/api.md."""
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
    def of(cls, case: Case) -> QueuePosition:
        return cls(case.due_date, case.pk)

    def encode(self) -> str:
        raw = f"{self.due_date.isoformat() if self.due_date else '-'}.{self.id}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> QueuePosition:
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


@dataclass(frozen=True)
class QueueOverview:
    """Everything the workspace queue page shows, read with a fixed number of queries."""

    authority_ids: frozenset[int]
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
    ids = scope_for(user).clerk_of
    if not ids:
        return QueueOverview(authority_ids=ids, page=QueuePage([], None, None))
    base = cases_processed_by(ids)
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
    ids: frozenset[int],
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
