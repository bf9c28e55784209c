"""The dashboard's tables, shared by the page and the CSV downloads. No personal data."""

from __future__ import annotations

import datetime
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from core import formats
from district import statistics
from payments import providers


class Share(float):
    """A cell holding a share (0.5), written as a percentage ("50,0 %")."""


def cell_text(value: Any, *, spreadsheet: bool = False) -> str:
    """A cell as the page's language writes it: counts "1.234", days "4,5", amounts "12,50",
    shares "50,0 %" (English "1,234", "4.5", "12.50", "50.0%"). For a spreadsheet, numbers
    go without thousands separators, so that it reads them as numbers."""
    grouping = not spreadsheet
    if value is None:
        return ""
    if isinstance(value, Share):
        return formats.percent(value)
    if isinstance(value, Decimal):
        return formats.number(value, digits=2, grouping=grouping)
    if isinstance(value, float):
        return formats.number(value, digits=1, grouping=grouping)
    if isinstance(value, int) and not isinstance(value, bool):
        return formats.number(value, grouping=grouping)
    return str(value)


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
    def body(self) -> list[list[tuple[str, bool]]]:
        """The rows as the page shows them, in the active language."""
        return [
            [(cell_text(cell), numeric) for cell, numeric in zip(row, self.numeric, strict=True)]
            for row in self.rows
        ]

    def spreadsheet_rows(self) -> list[list[str]]:
        """Header and rows for a CSV file in the active language."""
        return [self.headers, *([cell_text(c, spreadsheet=True) for c in r] for r in self.rows)]


def _month(value: datetime.date) -> str:
    return value.strftime("%Y-%m")


def _days(value: float | None) -> float | None:
    return None if value is None else float(value)


def _share(value: float | None) -> Share | None:
    return None if value is None else Share(value)


def _euros(cents: int) -> Decimal:
    return Decimal(cents) / 100


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
        ((r.municipality, providers.label_of(r.provider), r.payments) for r in payments),
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
            [[m, n, _euros(cents)] for m, (n, cents) in sorted(paid_months.items())],
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
                    providers.label_of(r.provider),
                    r.payments,
                    _euros(r.amount_cents),
                ]
                for r in payments
            ]
            if detail
            else [],
        ),
    )
