"""Selectors of the district dashboard (/district/): aggregates only, never personal data.

Cases filed, delegation flows and processing times come from the running tallies
(district/tally.py: one row per month, service, town, authority and, for decisions,
processing days), so a dashboard over a million cases sums a few thousand rows; open cases
and payments are counted live. Every sum is computed by the database (GROUP BY); Python maps
ids to names and interpolates percentiles on the per-day histogram the database returns.

Scope: district admins see their district and its towns, municipal admins the cases their
own town(s) process, superusers everything; anyone else gets None."""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import get_language

from cases.models import Case
from catalog.models import ServiceDefinition
from core.tenancy import Scope
from district.models import CaseTally, DecisionTally
from municipalities.models import Membership, Municipality
from payments.selectors import settled_per_month

Role = Membership.Role


# --- percentiles ------------------------------------------------------------------------


def percentile_cont(histogram: Mapping[int, int], fraction: float) -> float | None:
    """The continuous percentile (PostgreSQL's `percentile_cont`: linear interpolation
    between the closest ranks) of values given as {value: how often}."""
    if not 0 <= fraction <= 1:
        raise ValueError("fraction must lie between 0 and 1")
    total = sum(histogram.values())
    if not total:
        return None
    position = fraction * (total - 1)
    low_rank, high_rank = math.floor(position), math.ceil(position)
    low = high = None
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if low is None and seen > low_rank:
            low = value
        if seen > high_rank:
            high = value
            break
    return low + (high - low) * (position - low_rank)


# --- scope and period -------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardScope:
    """Whose figures a dashboard shows."""

    label: str
    municipality_ids: frozenset[int] | None  # None: every municipality (superuser)
    district_wide: bool


def dashboard_scope_for(scope: Scope) -> DashboardScope | None:
    """The dashboard scope of a user's tenancy scope (core/tenancy.py): district admins see
    their district, municipal admins the cases their towns process, superusers everything;
    None if they may not see the dashboard."""
    if not scope.sees_dashboard:
        return None
    if scope.reach is None:
        return DashboardScope(label="", municipality_ids=None, district_wide=True)
    named = scope.ids(Role.DISTRICT_ADMIN) if scope.district_admin else scope.reach
    names = sorted(Municipality.objects.filter(pk__in=named).values_list("name", flat=True))
    return DashboardScope(
        label=", ".join(names), municipality_ids=scope.reach, district_wide=scope.district_admin
    )


@dataclass(frozen=True)
class Period:
    """Cases submitted from `start` (inclusive) to `end` (exclusive), local time."""

    start: datetime.datetime | None = None
    end: datetime.datetime | None = None

    @classmethod
    def months(cls, *, year: int | None, month_from: int = 1, month_to: int = 12) -> Period:
        if year is None:
            return cls()
        tz = timezone.get_current_timezone()
        start = datetime.datetime(year, month_from, 1, tzinfo=tz)
        end = (
            datetime.datetime(year + 1, 1, 1, tzinfo=tz)
            if month_to == 12
            else datetime.datetime(year, month_to + 1, 1, tzinfo=tz)
        )
        return cls(start=start, end=end)

    def filter(self, qs: QuerySet, field: str) -> QuerySet:
        """`qs` limited to the period by a date-time `field`."""
        if self.start is not None:
            qs = qs.filter(**{f"{field}__gte": self.start})
        if self.end is not None:
            qs = qs.filter(**{f"{field}__lt": self.end})
        return qs

    def filter_months(self, qs: QuerySet) -> QuerySet:
        """`qs` (a tally) limited to the period by its `month` (periods are whole months)."""
        if self.start is not None:
            qs = qs.filter(month__gte=self.start.date())
        if self.end is not None:
            qs = qs.filter(month__lt=self.end.date())
        return qs


def _scoped(scope: DashboardScope, qs: QuerySet) -> QuerySet:
    """Cases or tally rows of the scope."""
    if scope.municipality_ids is None:
        return qs
    if scope.district_wide:
        return qs.filter(municipality_id__in=scope.municipality_ids)
    # A town sees the cases it processes, including those other towns delegated to it, but
    # not those it delegated away (purpose limitation, docs/architecture.md, Tenancy; the
    # row-level security policy on services_case draws the same line).
    return qs.filter(processing_authority_id__in=scope.municipality_ids)


@dataclass(frozen=True)
class Names:
    """Ids to names, loaded once per dashboard (two small queries)."""

    towns: dict[int, str]
    services: dict[str, str]  # key → display name of the newest version


def names_load() -> Names:
    services: dict[str, str] = {}
    for definition in ServiceDefinition.objects.order_by("key", "-version").only("key", "name"):
        services.setdefault(definition.key, definition.display_name)
    return Names(towns=dict(Municipality.objects.values_list("pk", "name")), services=services)


# --- the figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthlyCount:
    month: datetime.date
    service_key: str
    service: str
    municipality: str
    cases: int


def cases_per_month(
    *, scope: DashboardScope, period: Period, names: Names | None = None
) -> list[MonthlyCount]:
    """Cases filed per service (all versions), filing town and month of submission (local
    time)."""
    rows = (
        _scoped(scope, period.filter_months(CaseTally.objects.all()))
        .values("month", "service_key", "municipality_id")
        .annotate(n=Sum("cases"))
        .order_by()
    )
    names = names or names_load()
    result = [
        MonthlyCount(
            month=row["month"],
            service_key=row["service_key"],
            service=names.services.get(row["service_key"], row["service_key"]),
            municipality=names.towns.get(row["municipality_id"], "?"),
            cases=row["n"],
        )
        for row in rows
    ]
    return sorted(result, key=lambda r: (r.month, r.service.lower(), r.municipality))


@dataclass(frozen=True)
class ProcessingTime:
    service_key: str
    service: str
    completed: int
    median_days: float | None
    p90_days: float | None
    with_due_date: int
    within_sla: int

    @property
    def sla_share(self) -> float | None:
        return self.within_sla / self.with_due_date if self.with_due_date else None


def processing_times(
    *, scope: DashboardScope, period: Period, names: Names | None = None
) -> list[ProcessingTime]:
    """Per service (all versions) and overall: decided (approved or rejected) cases, the
    median and 90th percentile of their processing time in calendar days (local date of the
    decision − local date of submission), and how many were decided on or before their due
    date."""
    rows = (
        _scoped(scope, period.filter_months(DecisionTally.objects.all()))
        .values("service_key", "days")
        .annotate(
            decided=Sum("decided"),
            with_due_date=Sum("with_due_date"),
            within_due_date=Sum("within_due_date"),
        )
        .order_by()
    )
    per_service: dict[str, _Decisions] = {}
    overall = _Decisions()
    for row in rows:
        per_service.setdefault(row["service_key"], _Decisions()).add(row)
        overall.add(row)
    services = (names or names_load()).services
    result = [
        decisions.figure(key, services.get(key, key)) for key, decisions in per_service.items()
    ]
    result.sort(key=lambda r: r.service.lower())
    if overall.histogram:
        result.append(overall.figure("", ""))
    return result


@dataclass
class _Decisions:
    """Decisions summed from tally rows: processing days → how many, and the deadline
    counts."""

    histogram: dict[int, int] = field(default_factory=dict)
    with_due_date: int = 0
    within_due_date: int = 0

    def add(self, row: dict[str, Any]) -> None:
        self.histogram[row["days"]] = self.histogram.get(row["days"], 0) + row["decided"]
        self.with_due_date += row["with_due_date"]
        self.within_due_date += row["within_due_date"]

    def figure(self, key: str, name: str) -> ProcessingTime:
        def days(fraction: float) -> float | None:
            value = percentile_cont(self.histogram, fraction)
            return None if value is None else round(value, 1)

        return ProcessingTime(
            service_key=key,
            service=name or key,
            completed=sum(self.histogram.values()),
            median_days=days(0.5),
            p90_days=days(0.9),
            with_due_date=self.with_due_date,
            within_sla=self.within_due_date,
        )


@dataclass(frozen=True)
class AuthorityLoad:
    authority: str
    open: int
    overdue: int


def open_cases_per_authority(
    *, scope: DashboardScope, today: datetime.date | None = None, names: Names | None = None
) -> list[AuthorityLoad]:
    """Open cases now, per processing authority, and how many of them are overdue (due date
    passed, clock not paused)."""
    today = today or timezone.localdate()
    rows = (
        _scoped(scope, Case.objects.filter(status__in=Case.OPEN_STATUSES))
        .values("processing_authority_id")
        .annotate(
            n=Count("id"),
            overdue=Count("id", filter=Q(due_date__lt=today, paused_at__isnull=True)),
        )
        .order_by()
    )
    towns = (names or names_load()).towns
    result = [
        AuthorityLoad(
            authority=towns.get(row["processing_authority_id"], "?"),
            open=row["n"],
            overdue=row["overdue"],
        )
        for row in rows
    ]
    return sorted(result, key=lambda r: (-r.open, r.authority))


@dataclass(frozen=True)
class DelegationFlow:
    filed_in: str
    processed_by: str
    service_key: str
    service: str
    cases: int


def delegation_flows(
    *, scope: DashboardScope, period: Period, names: Names | None = None
) -> list[DelegationFlow]:
    """Cases processed by another authority than the town they were filed in."""
    rows = (
        _scoped(scope, period.filter_months(CaseTally.objects.all()))
        .exclude(processing_authority_id=F("municipality_id"))
        .values("municipality_id", "processing_authority_id", "service_key")
        .annotate(n=Sum("cases"))
        .order_by()
    )
    names = names or names_load()
    towns, services = names.towns, names.services
    result = [
        DelegationFlow(
            filed_in=towns.get(row["municipality_id"], "?"),
            processed_by=towns.get(row["processing_authority_id"], "?"),
            service_key=row["service_key"],
            service=services.get(row["service_key"], row["service_key"]),
            cases=row["n"],
        )
        for row in rows
    ]
    return sorted(result, key=lambda r: (-r.cases, r.processed_by, r.filed_in, r.service))


@dataclass(frozen=True)
class PaymentFigure:
    month: datetime.date
    municipality: str
    provider: str
    payments: int
    amount_cents: int


def payments_per_month(
    *, scope: DashboardScope, period: Period, names: Names | None = None
) -> list[PaymentFigure]:
    """Settled payments (paid, or paid and refunded since) per payee town, provider and month
    of payment."""
    rows = settled_per_month(payee_ids=scope.municipality_ids, start=period.start, end=period.end)
    towns = (names or names_load()).towns
    result = [
        PaymentFigure(
            month=row.month,
            municipality=towns.get(row.payee_id, "?"),
            provider=row.provider,
            payments=row.payments,
            amount_cents=row.amount_cents,
        )
        for row in rows
    ]
    return sorted(result, key=lambda r: (r.month, r.municipality, r.provider))


def available_years(*, scope: DashboardScope) -> list[int]:
    """Years in which cases were filed, newest first (for the filter)."""
    first = _scoped(scope, CaseTally.objects.all()).aggregate(first=Min("month"))["first"]
    this_year = timezone.localdate().year
    return list(range(this_year, min(first.year if first else this_year, this_year) - 1, -1))


# --- the whole dashboard ------------------------------------------------------------

CACHE_PREFIX = "district-dashboard:v1"


@dataclass(frozen=True)
class Figures:
    """Everything the dashboard shows, for one scope, period and language."""

    computed_at: datetime.datetime
    cases: list[MonthlyCount]
    processing: list[ProcessingTime]
    open: list[AuthorityLoad]
    flows: list[DelegationFlow]
    payments: list[PaymentFigure]


def _cache_key(scope: DashboardScope, period: Period) -> str:
    ids = (
        "all"
        if scope.municipality_ids is None
        else ",".join(map(str, sorted(scope.municipality_ids)))
    )
    start = period.start.isoformat() if period.start else "-"
    end = period.end.isoformat() if period.end else "-"
    return f"{CACHE_PREFIX}:{get_language()}:{scope.district_wide}:{ids}:{start}:{end}"


def figures_compute(*, scope: DashboardScope, period: Period) -> Figures:
    """All figures, straight from the database."""
    names = names_load()
    return Figures(
        computed_at=timezone.now(),
        cases=cases_per_month(scope=scope, period=period, names=names),
        processing=processing_times(scope=scope, period=period, names=names),
        open=open_cases_per_authority(scope=scope, names=names),
        flows=delegation_flows(scope=scope, period=period, names=names),
        payments=payments_per_month(scope=scope, period=period, names=names),
    )


def dashboard_figures(*, scope: DashboardScope, period: Period) -> Figures:
    """The figures, computed at most DASHBOARD_CACHE_SECONDS ago (default 60): a few
    hundred milliseconds over a million cases (bench/dashboard.py), cached so that reloads
    and CSV downloads of the same view do not repeat the work."""
    key = _cache_key(scope, period)
    figures = cache.get(key)
    if figures is None:
        figures = figures_compute(scope=scope, period=period)
        cache.set(key, figures, settings.DASHBOARD_CACHE_SECONDS)
    return figures
