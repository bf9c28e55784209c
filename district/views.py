"""The district dashboard (/district/): server-rendered, accessible SVG charts with the same
numbers as tables, every table downloadable as CSV. Thin: the figures (district/statistics.py),
the tables and charts, a template. No personal data anywhere."""

from __future__ import annotations

import csv
import datetime
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import NotFound
from core.formats import language_of
from core.tenancy import scope_for_request
from district import statistics
from district.charts import build_charts
from district.statistics import DashboardScope, Period
from district.tables import build_tables


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


def _scope_or_404(request: HttpRequest) -> DashboardScope:
    scope = statistics.dashboard_scope_for(scope_for_request(request))
    if scope is None:
        raise NotFound("no dashboard for this user")
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
        raise NotFound("no such table")
    found = tables[table]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="district-{found.slug}.csv"'
    # A spreadsheet opens UTF-8 only with a byte-order mark; a German one splits columns at
    # semicolons (the comma is its decimal sign) and reads "4,5" as a number.
    response.write("\ufeff")
    german = language_of() == "de"
    writer = csv.writer(response, delimiter=";" if german else ",")
    writer.writerows(found.spreadsheet_rows())
    return response
