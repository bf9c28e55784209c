"""/district/ in Debian's chromium: the charts render without JavaScript, the page passes
axe's WCAG 2.1 AA rules; UPDATE_SCREENSHOTS=1 saves the screenshot to docs/dashboard.png."""

import os
import random
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cases.models import Case
from tests.district import at, known_cases
from tests.district import day as day_of
from tests.e2e.axe import assert_no_axe_violations
from tests.factories import CaseFactory, PaymentFactory

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "dashboard.png"
PASSWORD = "dashboard-pass-1"


@pytest.fixture
def dashboard_data(transactional_db):
    """The known data set of the dashboard tests, plus a year of cases so the charts have
    something to show (fixed seed: the same picture every run)."""
    data = known_cases()
    rng = random.Random(6)
    services = [data.bulky, data.dogs_v2]
    towns = [data.town_a, data.town_b]
    for _number in range(160):
        month = rng.choice(range(1, 11))
        town = rng.choices(towns, weights=[3, 2])[0]
        service = rng.choice(services)
        day = rng.randint(1, 27)
        submitted = f"2026-{month:02d}-{day:02d} 10:00"
        done = rng.random() < 0.8
        length = rng.choice([1, 2, 2, 3, 4, 6, 9, 14])
        authority = data.town_b if (service == data.dogs_v2 and town == data.town_a) else town
        case = CaseFactory(
            municipality=town,
            service=service,
            processing_authority=authority,
            submitted_at=at(submitted),
            status=Case.Status.APPROVED if done else Case.Status.IN_REVIEW,
            closed_at=at(f"2026-{month:02d}-{min(day + length, 28):02d} 16:00") if done else None,
            due_date=day_of(f"2026-{month:02d}-{min(day + 5, 28):02d}"),
        )
        if done and rng.random() < 0.6:
            PaymentFactory(
                payable=case,
                provider=rng.choice(["girocode", "girocheckout", "counter"]),
                amount_cents=1500,
                status="paid",
                paid_at=at(f"2026-{month:02d}-{day:02d} 12:00"),
            )
    data.district_admin.set_password(PASSWORD)
    data.district_admin.save()
    return data


def sign_in(page: Page, username: str) -> None:
    page.goto("/district/?year=2026")
    assert "/accounts/login/" in page.url
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()


def test_dashboard_renders_readable_charts_without_javascript(make_page, dashboard_data, tmp_path):
    page = make_page(js=False, locale="en-GB")
    page.set_viewport_size({"width": 1280, "height": 900})

    sign_in(page, dashboard_data.district_admin.username)

    expect(page.locator("h1")).to_be_visible()
    assert "/district/" in page.url
    charts = page.locator('svg[role="img"]')
    assert charts.count() >= 4
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 40
    assert page.locator("table").count() >= 5
    # The committed docs/dashboard.png is refreshed only on request, so a test run leaves
    # the work tree clean: UPDATE_SCREENSHOTS=1 .venv/bin/python -m pytest <this file>
    target = SCREENSHOT if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path / "dashboard.png"
    target.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 20_000


def test_dashboard_has_no_wcag_violations(make_page, dashboard_data):
    page = make_page(js=True, locale="en-GB")

    sign_in(page, dashboard_data.district_admin.username)

    expect(page.locator("h1")).to_be_visible()
    assert_no_axe_violations(page, "district dashboard (en)")
