"""/district/: the figures equal counts computed here from a known data set; the page and
its CSV exports work without JavaScript and show no personal data."""

import csv
import datetime
import io
import random
import re
import statistics as pystats
from collections import Counter

import pytest
from django.utils import timezone

from cases.models import Case
from core.tenancy import scope_for
from district import statistics
from district.statistics import Period, percentile_cont
from tests.conftest import rls_queries
from tests.district import BERLIN, at, known_cases
from tests.factories import APPLICANT_NAME, MembershipFactory, PaymentFactory, UserFactory

pytestmark = pytest.mark.django_db

COMPLETED = {Case.Status.APPROVED, Case.Status.REJECTED}


@pytest.fixture
def data():
    return known_cases()


@pytest.fixture
def client(client):
    # English page and CSV headers, whatever the German catalog says.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def in_district(data):
    towns = {data.district.pk, data.town_a.pk, data.town_b.pk}
    return [c for c in data.cases if c.municipality_id in towns]


def local(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(BERLIN)


def test_cases_per_service_town_and_month_match_an_independent_count(data):
    scope = statistics.dashboard_scope_for(scope_for(data.district_admin))

    rows = statistics.cases_per_month(scope=scope, period=Period())

    expected = Counter(
        (local(c.submitted_at).strftime("%Y-%m"), c.service.key, c.municipality.name)
        for c in in_district(data)
    )
    got = {(r.month.strftime("%Y-%m"), r.service_key, r.municipality): r.cases for r in rows}
    assert got == dict(expected)
    # The case filed at 23:30 on New Year's Eve (local time) counts for December.
    assert got[("2025-12", "bulky-test", "Aachtal")] == 1
    # Both versions of the dog tax count as one service.
    assert got[("2026-02", "dogs-test", "Böhmfeld")] == 1
    assert sum(got.values()) == 9


def test_processing_time_percentiles_and_deadline_share_match_an_independent_computation(data):
    scope = statistics.dashboard_scope_for(scope_for(data.district_admin))

    rows = {r.service_key: r for r in statistics.processing_times(scope=scope, period=Period())}

    for key in ("bulky-test", "dogs-test", ""):
        done = [
            c
            for c in in_district(data)
            if c.status in COMPLETED and (key == "" or c.service.key == key)
        ]
        days = [(local(c.closed_at).date() - local(c.submitted_at).date()).days for c in done]
        within = [c for c in done if local(c.closed_at).date() <= c.due_date]
        row = rows[key]
        assert row.completed == len(done)
        assert row.median_days == round(pystats.median(days), 1)
        quantile = (
            days[0] if len(days) == 1 else pystats.quantiles(days, n=10, method="inclusive")[8]
        )
        assert row.p90_days == round(quantile, 1)
        assert row.within_sla == len(within)
    # Bulky waste: 2, 10, 5 and 3 calendar days; deciding after local midnight counts the
    # next day, and is late.
    assert rows["bulky-test"].completed == 4
    assert rows["bulky-test"].within_sla == 2
    assert rows["bulky-test"].median_days == 4.0
    assert rows["bulky-test"].p90_days == 8.5
    assert rows["bulky-test"].sla_share == 0.5


def test_open_and_overdue_cases_per_authority(data):
    scope = statistics.dashboard_scope_for(scope_for(data.district_admin))

    rows = statistics.open_cases_per_authority(scope=scope, today=datetime.date(2026, 6, 1))

    assert {(r.authority, r.open, r.overdue) for r in rows} == {
        ("Aachtal", 1, 0),  # paused: not overdue
        ("Böhmfeld", 2, 1),
    }


def test_delegation_flows_count_who_processes_for_whom(data):
    scope = statistics.dashboard_scope_for(scope_for(data.district_admin))

    rows = statistics.delegation_flows(scope=scope, period=Period())

    assert [(r.processed_by, r.filed_in, r.service_key, r.cases) for r in rows] == [
        ("Böhmfeld", "Aachtal", "dogs-test", 2)
    ]


def test_period_filter_limits_to_the_months_chosen(data):
    scope = statistics.dashboard_scope_for(scope_for(data.district_admin))

    rows = statistics.cases_per_month(
        scope=scope, period=Period.months(year=2026, month_from=2, month_to=2)
    )

    assert sum(r.cases for r in rows) == 3
    assert {r.month for r in rows} == {datetime.date(2026, 2, 1)}


def test_municipal_admin_sees_only_the_cases_their_town_processes(data):
    scope = statistics.dashboard_scope_for(scope_for(data.admin_a))

    rows = statistics.cases_per_month(scope=scope, period=Period())
    load = statistics.open_cases_per_authority(scope=scope, today=datetime.date(2026, 6, 1))

    # Cases 6 and 7 were filed in Aachtal but delegated to Böhmfeld: not Aachtal's to see.
    assert {r.municipality for r in rows} == {"Aachtal"}
    assert sum(r.cases for r in rows) == 5
    assert [(r.authority, r.open) for r in load] == [("Aachtal", 1)]


def test_percentile_of_a_day_histogram_follows_postgresql_percentile_cont():
    # percentile_cont interpolates linearly between the closest ranks.
    assert percentile_cont({1: 1, 2: 1, 3: 1, 4: 1}, 0.5) == 2.5
    assert percentile_cont({10: 1, 20: 1}, 0.9) == pytest.approx(19.0)
    assert percentile_cont({0: 3, 7: 1}, 0.5) == 0
    assert percentile_cont({}, 0.5) is None
    rng = random.Random(6)
    days = [rng.choice([0, 1, 1, 2, 3, 5, 8, 13, 40]) for _ in range(501)]
    for fraction in (0.1, 0.5, 0.9):
        expected = pystats.quantiles(days, n=10, method="inclusive")[round(fraction * 10) - 1]
        assert percentile_cont(Counter(days), fraction) == pytest.approx(expected)


def test_page_shows_charts_with_titles_and_tables_without_javascript(
    client, data, django_assert_max_num_queries
):
    client.force_login(data.district_admin)

    with django_assert_max_num_queries(20):
        response = client.get("/district/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<script" not in html
    assert ' style="' not in html
    charts = re.findall(r'<svg role="img" aria-labelledby="([^"]+)"', html)
    assert len(charts) >= 5
    for labels in charts:
        title_id, desc_id = labels.split()
        assert f'<title id="{title_id}">' in html
        assert f'<desc id="{desc_id}">' in html
    assert '<caption id="processing-caption"' in html
    # The delegation flow and its number, as text in the table.
    assert re.search(r"Böhmfeld</th>\s*<td[^>]*>Aachtal</td>", html)
    # No personal data: names, e-mail addresses, answers, references.
    for case in data.cases:
        assert case.reference not in html
    assert APPLICANT_NAME not in html
    assert "lukasz@" not in html
    assert "Sofa" not in html
    # Outside the district: not counted anywhere.
    assert "Anderswo" not in html


def test_page_filters_by_year_and_reports_a_bad_month_range(client, data):
    client.force_login(data.district_admin)

    good = client.get("/district/", {"year": "2025", "month_from": "1", "month_to": "12"})
    bad = client.get("/district/", {"year": "2026", "month_from": "5", "month_to": "2"})

    assert good.status_code == 200
    tables = {t.slug: t for s in good.context["sections"] for t in s["downloads"]}
    assert tables["months"].rows == [["2025-12", 1]]
    detail = client.get(
        "/district/export/cases.csv", {"year": "2025", "month_from": "1", "month_to": "12"}
    )
    assert detail.content.decode("utf-8-sig").splitlines()[1:] == ["2025-12,Bulky waste,Aachtal,1"]
    assert bad.status_code == 200
    assert "The last month lies before the first month." in bad.content.decode()
    assert 'href="#id_month_to"' in bad.content.decode()


@pytest.mark.parametrize(
    "table",
    [
        "months",
        "services",
        "cases",
        "processing",
        "open",
        "delegations",
        "providers",
        "paid-months",
        "payments",
    ],
)
def test_every_table_downloads_as_csv(client, data, table):
    client.force_login(data.district_admin)

    response = client.get(f"/district/export/{table}.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]  # a header row
    assert APPLICANT_NAME not in response.content.decode()


def test_cases_csv_equals_the_independent_count(client, data):
    client.force_login(data.district_admin)

    response = client.get("/district/export/cases.csv", {"year": "2026"})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Month", "Service", "Filed in", "Cases"]
    assert sum(int(r[3]) for r in rows[1:]) == 8
    assert ["2026-01", "Bulky waste", "Aachtal", "3"] in rows


def test_services_by_town_table_adds_up(client, data):
    client.force_login(data.district_admin)

    response = client.get("/district/export/services.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Service", "Aachtal", "Böhmfeld", "Total"]
    assert ["Bulky waste", "5", "0", "5"] in rows
    assert ["Dog tax", "2", "2", "4"] in rows
    assert rows[-1] == ["Total", "7", "2", "9"]


def test_processing_csv_holds_median_and_share(client, data):
    client.force_login(data.district_admin)

    response = client.get("/district/export/processing.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    bulky = next(r for r in rows if r[0] == "Bulky waste")
    assert bulky[1:] == ["4", "4.0", "8.5", "2", "50.0%"]


def test_unknown_table_is_404(client, data):
    client.force_login(data.district_admin)

    assert client.get("/district/export/secrets.csv").status_code == 404


def test_clerks_and_citizens_do_not_get_the_dashboard(client, data):
    clerk = UserFactory(username="clerk-aachtal")
    MembershipFactory(user=clerk, municipality=data.town_a, role="clerk")

    anonymous = client.get("/district/")
    client.force_login(clerk)
    as_clerk = client.get("/district/")
    as_clerk_csv = client.get("/district/export/cases.csv")

    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert as_clerk.status_code == 404
    assert as_clerk_csv.status_code == 404


def test_page_sums_tallies_in_a_fixed_number_of_queries_and_reuses_them(
    client, data, django_assert_max_num_queries
):
    client.force_login(data.district_admin)

    # Session, user, scope (2), years, names (2), five figures, the menu's roles: however
    # many cases there are.
    with django_assert_max_num_queries(13 + rls_queries()):
        first = client.get("/district/")
    with django_assert_max_num_queries(6 + rls_queries()):  # the figures come from the cache
        again = client.get("/district/")

    assert first.status_code == again.status_code == 200
    assert "Böhmfeld" in first.content.decode() and "Bulky waste" in first.content.decode()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    german = client.get("/district/").content.decode()
    assert "Sperrmüll" in german and "Bulky waste" not in german


def test_payments_per_town_provider_and_month(data):
    first, second, *_rest = data.cases

    def pay(case, provider, cents, paid, status="paid"):
        PaymentFactory(
            payable=case,
            provider=provider,
            amount_cents=cents,
            status=status,
            paid_at=at(paid) if paid else None,
        )

    pay(first, "girocode", 1500, "2026-01-11 10:00")
    pay(second, "girocode", 1500, "2026-01-31 23:30")  # January, local
    pay(data.cases[3], "counter", 900, "2026-02-01 00:15")
    pay(data.cases[4], "girocheckout", 700, None, status="pending")
    pay(data.cases[9], "girocode", 1500, "2026-01-12 10:00")  # elsewhere
    scope = statistics.dashboard_scope_for(scope_for(data.district_admin))

    rows = statistics.payments_per_month(scope=scope, period=Period())

    assert [
        (r.month.isoformat(), r.municipality, r.provider, r.payments, r.amount_cents) for r in rows
    ] == [
        ("2026-01-01", "Aachtal", "girocode", 2, 3000),
        ("2026-02-01", "Böhmfeld", "counter", 1, 900),
    ]


def test_today_is_local(data):
    # Sanity for the overdue figure on the page: it uses the local date.
    assert timezone.localdate() == timezone.localtime().date()


def test_german_csv_opens_in_a_german_spreadsheet(client, data):
    """Semicolons between columns, a decimal comma and a byte-order mark; the page itself
    writes "4,0" and "50,0 %" too."""
    client.force_login(data.district_admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"

    response = client.get("/district/export/processing.csv")
    page = client.get("/district/").content.decode()

    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Leistung", "Abgeschlossene Vorgänge", "Median (Tage)"]
    bulky = next(r for r in rows if r[0] == "Sperrmüll")
    assert bulky[1:] == ["4", "4,0", "8,5", "2", "50,0\u00a0%"]
    assert ">8,5<" in page and ">50,0\u00a0%<" in page and ">8.5<" not in page
