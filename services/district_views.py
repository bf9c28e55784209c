"""The district dashboard (/district/): server-rendered, accessible SVG charts with the same
numbers as tables, every table downloadable as CSV. Thin: a selector per figure
(services.statistics), the chart geometry, a template. No personal data anywhere."""

from __future__ import annotations

import csv
import datetime
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.tenancy import scope_for_request
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

    def __init__(self, data: Any = None, *, years: list[int], **kwargs: Any) -> None:
        if data is not None:
            # A year alone means the whole year.
            data = data.copy()
            data.setdefault("month_from", "1")
            data.setdefault("month_to", "12")
        super().__init__(data, initial={"month_from": 1, "month_to": 12}, **kwargs)
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
    label_y: str


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
            # SVG coordinates as plain strings: no locale may turn 12.5 into 12,5.
            series.append(
                {
                    "y": f"{y + s * per_series:.1f}",
                    "width": f"{width:.1f}",
                    "fill": SERIES_FILLS[s % len(SERIES_FILLS)],
                    "text_x": f"{LABEL_WIDTH + width + 6:.1f}",
                    "text_y": f"{y + s * per_series + per_series * 0.7:.1f}",
                    "text": text,
                    "height": per_series - 4,
                }
            )
        bars.append(Bar(label=label, series=series, y=y, label_y=f"{y + group_height / 2:.1f}"))
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


def _pivot(
    rows: Iterable[tuple[str, str, int]], *, row_title: str, total: str
) -> tuple[list[str], list[list[Any]]]:
    """(row label, column label, value) triples as a table: one row per row label, one column
    per column label, totals at the right and at the bottom."""
    cells: dict[tuple[str, str], int] = {}
    row_labels: dict[str, None] = {}
    column_labels: dict[str, None] = {}
    for row_label, column_label, value in rows:
        cells[(row_label, column_label)] = cells.get((row_label, column_label), 0) + value
        row_labels[row_label] = None
        column_labels[column_label] = None
    columns = sorted(column_labels)
    body = []
    for row_label in sorted(row_labels, key=str.lower):
        values = [cells.get((row_label, c), 0) for c in columns]
        body.append([row_label, *values, sum(values)])
    if body:
        sums = [sum(r[i] for r in body) for i in range(1, len(columns) + 2)]
        body.append([total, *sums])
    return [row_title, *columns, total], body


def build_tables(figures: statistics.Figures, *, detail: bool = True) -> dict[str, Table]:
    """Every table of the dashboard. The page shows the compact ones (per month, services ×
    towns, …); `cases` and `payments` hold the full breakdown by month for the CSV only
    (their rows are left out with detail=False: the page only links to them)."""
    monthly, times, load = figures.cases, figures.processing, figures.open
    flows, payments = figures.flows, figures.payments
    month_labels = {d: _month(d) for d in {r.month for r in monthly} | {r.month for r in payments}}

    months: dict[str, int] = {}
    for r in monthly:
        label = month_labels[r.month]
        months[label] = months.get(label, 0) + r.cases
    matrix_headers, matrix_rows = _pivot(
        ((r.service, r.municipality, r.cases) for r in monthly),
        row_title=_("Service"),
        total=_("Total"),
    )
    paid_headers, paid_rows = _pivot(
        ((r.municipality, r.provider, r.payments) for r in payments),
        row_title=_("Town"),
        total=_("Total"),
    )
    paid_months: dict[str, list[int]] = {}
    for r in payments:
        entry = paid_months.setdefault(month_labels[r.month], [0, 0])
        entry[0] += r.payments
        entry[1] += r.amount_cents
    return OrderedDict(
        months=Table(
            "months",
            _("Cases per month"),
            [_("Month"), _("Cases")],
            [False, True],
            [[m, n] for m, n in sorted(months.items())],
        ),
        services=Table(
            "services",
            _("Cases per service and town"),
            matrix_headers,
            [False] + [True] * (len(matrix_headers) - 1),
            matrix_rows,
        ),
        cases=Table(
            "cases",
            _("Cases per service, town and month"),
            [_("Month"), _("Service"), _("Filed in"), _("Cases")],
            [False, False, False, True],
            [[month_labels[r.month], r.service, r.municipality, r.cases] for r in monthly]
            if detail
            else [],
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
        providers=Table(
            "providers",
            _("Payments per town and provider"),
            paid_headers,
            [False] + [True] * (len(paid_headers) - 1),
            paid_rows,
        ),
        paid_months=Table(
            "paid-months",
            _("Payments per month"),
            [_("Month"), _("Payments"), _("Amount (EUR)")],
            [False, True, True],
            [[m, n, f"{cents / 100:.2f}"] for m, (n, cents) in sorted(paid_months.items())],
        ),
        payments=Table(
            "payments",
            _("Payments per town, provider and month"),
            [_("Month"), _("Town"), _("Provider"), _("Payments"), _("Amount (EUR)")],
            [False, False, False, True, True],
            [
                [
                    month_labels[r.month],
                    r.municipality,
                    r.provider,
                    r.payments,
                    f"{r.amount_cents / 100:.2f}",
                ]
                for r in payments
            ]
            if detail
            else [],
        ),
    )


def build_charts(tables: dict[str, Table]) -> dict[str, BarChart | None]:
    towns = (
        [
            (h, sum_)
            for h, sum_ in zip(
                tables["services"].headers[1:-1], tables["services"].rows[-1][1:-1], strict=True
            )
        ]
        if tables["services"].rows
        else []
    )
    processing = [r for r in tables["processing"].rows if r[2] != ""]
    flows: dict[str, int] = OrderedDict()
    for row in tables["delegations"].rows:
        label = f"{row[1]} → {row[0]}"
        flows[label] = flows.get(label, 0) + row[3]
    return {
        "months": bar_chart(
            id="chart-months",
            title=_("Cases per month"),
            description=_("Number of cases filed in each month, all services and towns."),
            rows=[(m, [n]) for m, n in tables["months"].rows],
            series_names=[_("Cases")],
        ),
        "towns": bar_chart(
            id="chart-towns",
            title=_("Cases per town"),
            description=_("Number of cases filed in each town in the selected period."),
            rows=[(t, [n]) for t, n in towns],
            series_names=[_("Cases")],
        ),
        "processing": bar_chart(
            id="chart-processing",
            title=_("Processing time per service"),
            description=_(
                "Median and 90th percentile of the calendar days from submission to decision, per "
                "service."
            ),
            rows=[(r[0], [float(r[2]), float(r[3])]) for r in processing],
            series_names=[_("Median (days)"), _("90th percentile (days)")],
            decimals=1,
        ),
        "open": bar_chart(
            id="chart-open",
            title=_("Open and overdue cases per authority"),
            description=_("Cases open today per processing authority, and how many are overdue."),
            rows=[(r[0], [r[1], r[2]]) for r in tables["open"].rows],
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
            rows=[(r[0], [r[1]]) for r in tables["paid_months"].rows],
            series_names=[_("Payments")],
        ),
    }


# --- views ------------------------------------------------------------------------------


def _scope_or_404(request: HttpRequest) -> DashboardScope:
    scope = statistics.dashboard_scope_for(scope_for_request(request))
    if scope is None:
        raise Http404("no dashboard for this user")
    return scope


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = _scope_or_404(request)
    form = PeriodForm(request.GET or None, years=statistics.available_years(scope=scope))
    period = form.period() if form.is_bound else Period()
    figures = statistics.dashboard_figures(scope=scope, period=period)
    tables = build_tables(figures, detail=False)
    charts = build_charts(tables)
    # Each section: a heading, charts, the tables holding the same numbers, and the CSV
    # downloads (the month-by-month breakdowns are too long for a page, not for a file).
    sections = [
        {
            "slug": "cases-section",
            "title": _("Cases"),
            "parts": [
                (charts["months"], tables["months"]),
                (charts["towns"], tables["services"]),
            ],
            "downloads": [tables["months"], tables["services"], tables["cases"]],
        },
        {
            "slug": "processing-section",
            "title": _("Processing time and deadlines"),
            "parts": [(charts["processing"], tables["processing"])],
            "downloads": [tables["processing"]],
        },
        {
            "slug": "open-section",
            "title": _("Open and overdue cases"),
            "parts": [(charts["open"], tables["open"])],
            "downloads": [tables["open"]],
        },
        {
            "slug": "delegations-section",
            "title": _("Delegated processing"),
            "parts": [(charts["delegations"], tables["delegations"])],
            "downloads": [tables["delegations"]],
        },
        {
            "slug": "payments-section",
            "title": _("Payments"),
            "parts": [
                (charts["payments"], tables["paid_months"]),
                (None, tables["providers"]),
            ],
            "downloads": [tables["paid_months"], tables["providers"], tables["payments"]],
        },
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
            "computed_at": figures.computed_at,
        },
    )


@login_required
def dashboard_csv(request: HttpRequest, table: str) -> HttpResponse:
    scope = _scope_or_404(request)
    form = PeriodForm(request.GET or None, years=statistics.available_years(scope=scope))
    period = form.period() if form.is_bound else Period()
    figures = statistics.dashboard_figures(scope=scope, period=period)
    tables = {t.slug: t for t in build_tables(figures).values()}
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
