"""Selectors of the district dashboard (/district/): aggregates only, never personal data.

Every figure is computed by the database (GROUP BY, COUNT, percentile_cont); Python only
maps ids to names. Percentiles: PostgreSQL's `percentile_cont`; on SQLite the same
continuous percentile is registered as an aggregate function on the connection, so the
query is the same on both and the figures agree.

Scope: district admins see their district and its towns, municipal admins the cases their
own town(s) process, superusers everything; anyone else gets None."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Count,
    F,
    FloatField,
    Func,
    Min,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import get_language

from municipalities.models import Membership, Municipality
from services.models import Case, ServiceDefinition

User = AbstractBaseUser | AnonymousUser
COMPLETED = (Case.Status.APPROVED, Case.Status.REJECTED)


# --- database functions -----------------------------------------------------------------


class SecondsBetween(Func):
    """end − start in seconds, as a float, computed by the database."""

    output_field = FloatField()

    def __init__(self, end: Any, start: Any) -> None:
        super().__init__(end, start)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))",
            arg_joiner=" - ",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra,
        )


class _SqlitePercentile:
    """percentile_cont for SQLite: linear interpolation between the closest ranks, exactly
    as PostgreSQL defines it."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, value: float | None, fraction: float) -> None:
        self.fraction = fraction
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        return percentile_cont(self.values, self.fraction)


def percentile_cont(values: list[float], fraction: float) -> float | None:
    """The continuous percentile of `values` (PostgreSQL's definition)."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class Percentile(Aggregate):
    """The continuous percentile (0 < fraction < 1) of an expression."""

    name = "Percentile"
    output_field = FloatField()

    def __init__(self, expression: Any, *, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must lie between 0 and 1")
        self.fraction = float(fraction)
        super().__init__(expression, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template=f"percentile_cont({self.fraction!r}) WITHIN GROUP (ORDER BY %(expressions)s)",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        connection.ensure_connection()
        connection.connection.create_aggregate("kp_percentile_cont", 2, _SqlitePercentile)
        return self.as_sql(
            compiler,
            connection,
            template=f"kp_percentile_cont(%(expressions)s, {self.fraction!r})",
            **extra,
        )

    def as_sql(self, compiler, connection, **extra):
        if "template" not in extra:
            raise NotImplementedError(f"no percentile on {connection.vendor}")
        return super().as_sql(compiler, connection, **extra)


# --- scope and period -------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardScope:
    """Whose figures a dashboard shows."""

    label: str
    municipality_ids: frozenset[int] | None  # None: every municipality (superuser)
    district_wide: bool


def dashboard_scope_for(user: User) -> DashboardScope | None:
    """The dashboard scope of a user: None if they may not see the dashboard."""
    if not user.is_authenticated or not user.is_active:
        return None
    memberships = list(
        Membership.objects.filter(
            user=user,
            role__in=[Membership.Role.DISTRICT_ADMIN, Membership.Role.MUNICIPAL_ADMIN],
        ).select_related("municipality")
    )
    districts = [m.municipality for m in memberships if m.role == Membership.Role.DISTRICT_ADMIN]
    if districts:
        ids = Municipality.objects.filter(
            Q(pk__in=[d.pk for d in districts]) | Q(parent__in=districts)
        ).values_list("pk", flat=True)
        return DashboardScope(
            label=", ".join(d.name for d in districts),
            municipality_ids=frozenset(ids),
            district_wide=True,
        )
    if memberships:
        return DashboardScope(
            label=", ".join(sorted({m.municipality.name for m in memberships})),
            municipality_ids=frozenset(m.municipality_id for m in memberships),
            district_wide=False,
        )
    if user.is_superuser:
        return DashboardScope(label="", municipality_ids=None, district_wide=True)
    return None


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
        if self.start is not None:
            qs = qs.filter(**{f"{field}__gte": self.start})
        if self.end is not None:
            qs = qs.filter(**{f"{field}__lt": self.end})
        return qs


def _cases(scope: DashboardScope) -> QuerySet[Case]:
    cases = Case.objects.all()
    if scope.municipality_ids is None:
        return cases
    if scope.district_wide:
        return cases.filter(municipality_id__in=scope.municipality_ids)
    # A town sees the cases it processes, including those other towns delegated to it, but
    # not those it delegated away (purpose limitation, DESIGN.md Tenancy; the row-level
    # security policy on services_case draws the same line).
    return cases.filter(processing_authority_id__in=scope.municipality_ids)


@dataclass(frozen=True)
class Names:
    """Ids to names, loaded once per dashboard (three small queries)."""

    towns: dict[int, str]
    services: dict[str, str]  # key → display name of the newest version
    versions: dict[int, str]  # definition id → key


def names_load() -> Names:
    services: dict[str, str] = {}
    versions: dict[int, str] = {}
    for definition in ServiceDefinition.objects.order_by("key", "-version").only("key", "name"):
        services.setdefault(definition.key, definition.display_name)
        versions[definition.pk] = definition.key
    return Names(
        towns=dict(Municipality.objects.values_list("pk", "name")),
        services=services,
        versions=versions,
    )


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
    """Cases filed per service, filing town and month of submission (local time)."""
    rows = (
        period.filter(_cases(scope), "submitted_at")
        .annotate(month=TruncMonth("submitted_at"))
        .values("month", "service_id", "municipality_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    names = names or names_load()
    versions, towns, services = names.versions, names.towns, names.services
    merged: dict[tuple[datetime.date, str, int], int] = {}
    for row in rows:
        # Versions of one service count as one service.
        key = (_as_date(row["month"]), versions[row["service_id"]], row["municipality_id"])
        merged[key] = merged.get(key, 0) + row["n"]
    result = [
        MonthlyCount(
            month=month,
            service_key=key,
            service=services.get(key, key),
            municipality=towns.get(town_id, "?"),
            cases=n,
        )
        for (month, key, town_id), n in merged.items()
    ]
    return sorted(result, key=lambda r: (r.month, r.service.lower(), r.municipality))


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


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
    """Per service (all versions) and overall: completed (approved or rejected) cases, the
    median and 90th percentile of closed_at − submitted_at in days, and how many were closed
    on or before their due date (local date of closing)."""
    completed = period.filter(_cases(scope), "submitted_at").filter(
        status__in=COMPLETED, closed_at__isnull=False
    )
    seconds = SecondsBetween(F("closed_at"), F("submitted_at"))
    figures = {
        "completed": Count("id"),
        "median": Percentile(seconds, fraction=0.5),
        "p90": Percentile(seconds, fraction=0.9),
        "with_due_date": Count("id", filter=Q(due_date__isnull=False)),
        "within_sla": Count("id", filter=Q(closed_day__lte=F("due_date"))),
    }
    completed = completed.annotate(closed_day=TruncDate("closed_at"))
    per_service = completed.values("service__key").annotate(**figures).order_by("service__key")
    overall = completed.aggregate(**figures)
    services = (names or names_load()).services
    result = [
        _processing_row(row["service__key"], services.get(row["service__key"], ""), row)
        for row in per_service
    ]
    result.sort(key=lambda r: r.service.lower())
    if overall["completed"]:
        result.append(_processing_row("", "", overall))
    return result


def _processing_row(key: str, name: str, row: dict[str, Any]) -> ProcessingTime:
    def days(seconds: float | None) -> float | None:
        return None if seconds is None else round(float(seconds) / 86400, 1)

    return ProcessingTime(
        service_key=key,
        service=name or key,
        completed=row["completed"],
        median_days=days(row["median"]),
        p90_days=days(row["p90"]),
        with_due_date=row["with_due_date"],
        within_sla=row["within_sla"],
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
        _cases(scope)
        .filter(status__in=Case.OPEN_STATUSES)
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
        period.filter(_cases(scope), "submitted_at")
        .exclude(processing_authority_id=F("municipality_id"))
        .values("municipality_id", "processing_authority_id", "service__key")
        .annotate(n=Count("id"))
        .order_by()
    )
    names = names or names_load()
    towns, services = names.towns, names.services
    result = [
        DelegationFlow(
            filed_in=towns.get(row["municipality_id"], "?"),
            processed_by=towns.get(row["processing_authority_id"], "?"),
            service_key=row["service__key"],
            service=services.get(row["service__key"], row["service__key"]),
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
    of payment. Empty while the payments app has no Payment table yet."""
    payment_model = _payment_model()
    if payment_model is None:
        return []
    payments = payment_model.objects.filter(paid_at__isnull=False, status__in=["paid", "refunded"])
    if scope.municipality_ids is not None:
        payments = payments.filter(payee_municipality_id__in=scope.municipality_ids)
    rows = (
        period.filter(payments, "paid_at")
        .annotate(month=TruncMonth("paid_at"))
        .values("month", "payee_municipality_id", "provider")
        .annotate(n=Count("id"), amount=Sum("amount_cents"))
        .order_by()
    )
    towns = (names or names_load()).towns
    result = [
        PaymentFigure(
            month=_as_date(row["month"]),
            municipality=towns.get(row["payee_municipality_id"], "?"),
            provider=row["provider"],
            payments=row["n"],
            amount_cents=row["amount"] or 0,
        )
        for row in rows
    ]
    return sorted(result, key=lambda r: (r.month, r.municipality, r.provider))


_payment_table_seen = False


def _payment_model() -> Any:
    """payments.models.Payment, imported lazily: the payments app is built beside this one
    and may not have its model or table yet."""
    global _payment_table_seen
    try:
        from payments.models import Payment
    except ImportError:
        return None
    needed = {"payee_municipality", "provider", "amount_cents", "paid_at", "status"}
    if not needed <= {f.name for f in Payment._meta.get_fields()}:
        return None
    if not _payment_table_seen:
        if Payment._meta.db_table not in connection.introspection.table_names():
            return None
        _payment_table_seen = True
    return Payment


def available_years(*, scope: DashboardScope) -> list[int]:
    """Years in which cases were filed, newest first (for the filter); cached like the
    figures, since finding the first case scans the scope's cases."""
    key = f"{CACHE_PREFIX}:years:" + (
        "all"
        if scope.municipality_ids is None
        else ",".join(map(str, sorted(scope.municipality_ids)))
    )
    this_year = timezone.localdate().year
    first_year = cache.get(key)
    if first_year is None:
        first = _cases(scope).aggregate(first=Min("submitted_at"))["first"]
        first_year = timezone.localtime(first).year if first else this_year
        cache.set(key, first_year, getattr(settings, "DASHBOARD_CACHE_SECONDS", 900))
    return list(range(this_year, min(first_year, this_year) - 1, -1))


# --- the whole dashboard, precomputed ----------------------------------------------------

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
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The percentile sorts of a large district fit in memory instead of spilling.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '64MB'")
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
    """The figures as last computed, at most DASHBOARD_CACHE_SECONDS old (default 900):
    materialized in the cache (Redis in production) by `dashboard_warm` every few minutes
    for the district-wide views, computed on first use for any other."""
    key = _cache_key(scope, period)
    figures = cache.get(key)
    if figures is None:
        figures = figures_compute(scope=scope, period=period)
        cache.set(key, figures, getattr(settings, "DASHBOARD_CACHE_SECONDS", 900))
    return figures


def dashboard_warm() -> int:
    """Recompute the district-wide views (all years, this year) of every district in every
    language, so district admins never wait for a cold computation. Returns views done."""
    from django.utils import translation

    done = 0
    this_year = timezone.localdate().year
    for district in Municipality.objects.filter(kind=Municipality.Kind.DISTRICT):
        ids = Municipality.objects.filter(Q(pk=district.pk) | Q(parent=district)).values_list(
            "pk", flat=True
        )
        scope = DashboardScope(
            label=district.name, municipality_ids=frozenset(ids), district_wide=True
        )
        available_years(scope=scope)
        for period in (Period(), Period.months(year=this_year)):
            figures = figures_compute(scope=scope, period=period)
            # The database works once; other languages only rename the services.
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    cache.set(
                        _cache_key(scope, period),
                        _relabel(figures, names_load().services),
                        getattr(settings, "DASHBOARD_CACHE_SECONDS", 900),
                    )
                done += 1
    return done


def _relabel(figures: Figures, services: dict[str, str]) -> Figures:
    """The same figures with service names in the active language."""

    def name(key: str, fallback: str) -> str:
        return services.get(key, fallback) if key else fallback

    return replace(
        figures,
        cases=[replace(r, service=name(r.service_key, r.service)) for r in figures.cases],
        processing=[replace(r, service=name(r.service_key, r.service)) for r in figures.processing],
        flows=[replace(r, service=name(r.service_key, r.service)) for r in figures.flows],
    )
