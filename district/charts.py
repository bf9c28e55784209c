"""The dashboard's charts: horizontal bar charts drawn as accessible SVG by the server (no
JavaScript), each with a table of the same numbers beside it."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from core import formats
from district.tables import Table

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
            text = "–" if value is None else formats.number(value, digits=decimals) + unit
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
    processing = [r for r in tables["processing"].rows if r[2] is not None]
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
