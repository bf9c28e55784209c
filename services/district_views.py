"""The district dashboard (/district/): server-rendered, accessible SVG charts with the same
numbers as tables, every table downloadable as CSV. Thin: a selector per figure
(services.statistics), the chart geometry, a template. No personal data anywhere."""

from __future__ import annotations

import csv
import datetime
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from services import statistics
from services.statistics import DashboardScope, Period


class PeriodForm(forms.Form):
    """Optional filters: a year, and within it a range of months."""

    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int, required=False)
    month_from = forms.TypedChoiceField(
        label=gettext_lazy("From month"), coerce=int, required=False, choices=()
    )
    month_to = forms.TypedChoiceField(
        label=gettext_lazy("To month"), coerce=int, required=False, choices=()
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years"))] + [(y, str(y)) for y in years]
        months = [(m, formats.date_format(datetime.date(2000, m, 1), "F")) for m in range(1, 13)]
        self.fields["month_from"].choices = months
        self.fields["month_to"].choices = months

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        low, high = cleaned.get("month_from") or 1, cleaned.get("month_to") or 12
        if low > high:
            self.add_error("month_to", _("The last month lies before the first month."))
        return cleaned

    def period(self) -> Period:
        if not self.is_valid():
            return Period()
        data = self.cleaned_data
        return Period.months(
            year=data.get("year") or None,
            month_from=data.get("month_from") or 1,
            month_to=data.get("month_to") or 12,
        )


# --- charts -----------------------------------------------------------------------------

CHART_WIDTH = 720
LABEL_WIDTH = 220
BAR_HEIGHT = 22
BAR_GAP = 8
SERIES_FILLS = ("#1a3da5", "#b3541e")  # both ≥ 4.5:1 against white


@dataclass(frozen=True)
class Bar:
    label: str
    series: list[dict[str, Any]]  # [{"value", "width", "y", "fill", "text_x", "text"}]
    y: float
    label_y: float


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one group per label, one bar per series."""

    id: str
    title: str
    description: str
    series_names: list[str]
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    legend: list[dict[str, Any]]


def bar_chart(
    *,
    id: str,
    title: str,
    description: str,
    rows: Iterable[tuple[str, list[float | None]]],
    series_names: list[str],
    unit: str = "",
    decimals: int = 0,
) -> BarChart | None:
    rows = list(rows)
    if not rows:
        return None
    values = [v for _label, vs in rows for v in vs if v is not None]
    top = max(values, default=0) or 1
    plot = CHART_WIDTH - LABEL_WIDTH - 90
    per_series = BAR_HEIGHT
    group_height = per_series * len(series_names) + BAR_GAP
    legend_height = 28 if len(series_names) > 1 else 0
    bars = []
    for index, (label, vs) in enumerate(rows):
        y = legend_height + index * group_height + BAR_GAP / 2
        series = []
        for s, value in enumerate(vs):
            width = 0 if value is None else max(1.0, plot * value / top) if value else 0
            text = "–" if value is None else f"{value:,.{decimals}f}{unit}".replace(",", " ")
            series.append(
                {
                    "y": y + s * per_series,
                    "width": round(width, 1),
                    "fill": SERIES_FILLS[s % len(SERIES_FILLS)],
                    "text_x": LABEL_WIDTH + width + 6,
                    "text_y": y + s * per_series + per_series * 0.7,
                    "text": text,
                    "height": per_series - 4,
                }
            )
        bars.append(Bar(label=label, series=series, y=y, label_y=y + group_height / 2))
    legend = (
        [
            {
                "name": name,
                "fill": SERIES_FILLS[i % 2],
                "x": LABEL_WIDTH + i * 200,
                "text_x": LABEL_WIDTH + i * 200 + 20,
            }
            for i, name in enumerate(series_names)
        ]
        if len(series_names) > 1
        else []
    )
    return BarChart(
        id=id,
        title=title,
        description=description,
        series_names=series_names,
        bars=bars,
        width=CHART_WIDTH,
        height=int(legend_height + len(rows) * group_height + BAR_GAP),
        label_width=LABEL_WIDTH - 8,
        legend=legend,
    )


# --- tables (shared by page and CSV) ----------------------------------------------------


@dataclass(frozen=True)
class Table:
    slug: str
    title: str
    headers: list[str]
    numeric: list[bool]
    rows: list[list[Any]]

    @property
    def header_cells(self) -> list[tuple[str, bool]]:
        return list(zip(self.headers, self.numeric, strict=True))

    @property
    def body(self) -> list[list[tuple[Any, bool]]]:
        return [list(zip(row, self.numeric, strict=True)) for row in self.rows]


def _month(value: datetime.date) -> str:
    return value.strftime("%Y-%m")


def _days(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _share(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f} %"


def build_tables(scope: DashboardScope, period: Period) -> dict[str, Table]:
    monthly = statistics.cases_per_month(scope=scope, period=period)
    times = statistics.processing_times(scope=scope, period=period)
    load = statistics.open_cases_per_authority(scope=scope)
    flows = statistics.delegation_flows(scope=scope, period=period)
    payments = statistics.payments_per_month(scope=scope, period=period)
    return OrderedDict(
        cases=Table(
            "cases",
            _("Cases per service, town and month"),
            [_("Month"), _("Service"), _("Filed in"), _("Cases")],
            [False, False, False, True],
            [[_month(r.month), r.service, r.municipality, r.cases] for r in monthly],
        ),
        processing=Table(
            "processing",
            _("Processing time and deadlines per service"),
            [
                _("Service"),
                _("Completed cases"),
                _("Median (days)"),
                _("90th percentile (days)"),
                _("Closed within the deadline"),
                _("Share within the deadline"),
            ],
            [False, True, True, True, True, True],
            [
                [
                    r.service if r.service_key else _("All services"),
                    r.completed,
                    _days(r.median_days),
                    _days(r.p90_days),
                    r.within_sla,
                    _share(r.sla_share),
                ]
                for r in times
            ],
        ),
        open=Table(
            "open",
            _("Open and overdue cases per processing authority (today)"),
            [_("Processing authority"), _("Open cases"), _("Overdue")],
            [False, True, True],
            [[r.authority, r.open, r.overdue] for r in load],
        ),
        delegations=Table(
            "delegations",
            _("Delegated processing: who processes for whom"),
            [_("Processed by"), _("Filed in"), _("Service"), _("Cases")],
            [False, False, False, True],
            [[r.processed_by, r.filed_in, r.service, r.cases] for r in flows],
        ),
        payments=Table(
            "payments",
            _("Payments per town, provider and month"),
            [_("Month"), _("Town"), _("Provider"), _("Payments"), _("Amount (EUR)")],
            [False, False, False, True, True],
            [
                [
                    _month(r.month),
                    r.municipality,
                    r.provider,
                    r.payments,
                    f"{r.amount_cents / 100:.2f}",
                ]
                for r in payments
            ],
        ),
    )


def _totals(rows: Iterable[list[Any]], key: Callable[[list[Any]], str], value_index: int):
    totals: dict[str, int] = OrderedDict()
    for row in rows:
        totals[key(row)] = totals.get(key(row), 0) + row[value_index]
    return totals


def build_charts(tables: dict[str, Table]) -> dict[str, BarChart | None]:
    cases = tables["cases"].rows
    per_month = _totals(sorted(cases, key=lambda r: r[0]), lambda r: r[0], 3)
    per_town = _totals(sorted(cases, key=lambda r: r[2]), lambda r: r[2], 3)
    processing = [r for r in tables["processing"].rows if r[2] != ""]
    load = tables["open"].rows
    flows = _totals(tables["delegations"].rows, lambda r: f"{r[1]} → {r[0]}", 3)
    payments = _totals(sorted(tables["payments"].rows, key=lambda r: r[0]), lambda r: r[0], 3)
    return {
        "months": bar_chart(
            id="chart-months",
            title=_("Cases per month"),
            description=_("Number of cases filed in each month, all services and towns."),
            rows=[(m, [n]) for m, n in per_month.items()],
            series_names=[_("Cases")],
        ),
        "towns": bar_chart(
            id="chart-towns",
            title=_("Cases per town"),
            description=_("Number of cases filed in each town in the selected period."),
            rows=[(t, [n]) for t, n in per_town.items()],
            series_names=[_("Cases")],
        ),
        "processing": bar_chart(
            id="chart-processing",
            title=_("Processing time per service"),
            description=_(
                "Median and 90th percentile of the days from submission to decision, per service."
            ),
            rows=[(r[0], [float(r[2]), float(r[3])]) for r in processing],
            series_names=[_("Median (days)"), _("90th percentile (days)")],
            decimals=1,
        ),
        "open": bar_chart(
            id="chart-open",
            title=_("Open and overdue cases per authority"),
            description=_("Cases open today per processing authority, and how many are overdue."),
            rows=[(r[0], [r[1], r[2]]) for r in load],
            series_names=[_("Open cases"), _("Overdue")],
        ),
        "delegations": bar_chart(
            id="chart-delegations",
            title=_("Delegated processing"),
            description=_("Cases filed in one town and processed by another authority."),
            rows=list((k, [n]) for k, n in flows.items()),
            series_names=[_("Cases")],
        ),
        "payments": bar_chart(
            id="chart-payments",
            title=_("Payments per month"),
            description=_("Number of payments received per month, all towns and providers."),
            rows=[(m, [n]) for m, n in payments.items()],
            series_names=[_("Payments")],
        ),
    }


# --- views ------------------------------------------------------------------------------


def _scope_or_404(request: HttpRequest) -> DashboardScope:
    scope = statistics.dashboard_scope_for(request.user)
    if scope is None:
        raise Http404("no dashboard for this user")
    return scope


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = _scope_or_404(request)
    form = PeriodForm(request.GET or None, years=statistics.available_years(scope=scope))
    period = form.period() if form.is_bound else Period()
    tables = build_tables(scope, period)
    charts = build_charts(tables)
    sections = [
        {"table": tables["cases"], "charts": [charts["months"], charts["towns"]]},
        {"table": tables["processing"], "charts": [charts["processing"]]},
        {"table": tables["open"], "charts": [charts["open"]]},
        {"table": tables["delegations"], "charts": [charts["delegations"]]},
        {"table": tables["payments"], "charts": [charts["payments"]]},
    ]
    return render(
        request,
        "district/dashboard.html",
        {
            "scope": scope,
            "form": form,
            "sections": sections,
            "query": request.GET.urlencode(),
            "today": timezone.localdate(),
        },
    )


@login_required
def dashboard_csv(request: HttpRequest, table: str) -> HttpResponse:
    scope = _scope_or_404(request)
    form = PeriodForm(request.GET or None, years=statistics.available_years(scope=scope))
    period = form.period() if form.is_bound else Period()
    tables = build_tables(scope, period)
    if table not in tables:
        raise Http404("no such table")
    found = tables[table]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="district-{found.slug}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 only with a byte-order mark
    writer = csv.writer(response)
    writer.writerow(found.headers)
    writer.writerows(found.rows)
    return response
