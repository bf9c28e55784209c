"""Citizen sign-in in a real browser through the development IdP (issue 15): the portal on
pytest-django's live server (localhost), the IdP on 127.0.0.1 — two sites, so the IdP's
POST back arrives without the portal's SameSite=Lax session cookie, as it does with BundID."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.keyboard import sign_in_at_the_idp_by_keyboard
from tests.saml import devidp  # noqa: F401  (fixture)

WAIT = 20_000


@pytest.fixture
def live_saml(devidp, live_server, settings):  # noqa: F811
    for name, value in devidp.settings(PORTAL_BASE_URL=live_server.url).items():
        setattr(settings, name, value)
    devidp.register_sp("live", PORTAL_BASE_URL=live_server.url)
    return devidp


def _start(page: Page, level: str = "high") -> None:
    page.goto(f"/saml2/login/?level={level}&next=/saml2/whoami/")
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/sso/redirect\?"), timeout=WAIT)


def test_high_persona_signs_in_sees_the_name_and_signs_out(page: Page, live_saml):
    _start(page)
    assert page.locator("html").get_attribute("lang") == "de"

    page.get_by_role("button", name="Als Łukasz Yılmaz–Şahin anmelden").click()

    expect(page.locator("#identity-name")).to_have_text("Łukasz Yılmaz–Şahin", timeout=WAIT)
    expect(page.get_by_text("identifiziert mit Online-Ausweis")).to_be_visible()
    expect(page.get_by_text("Bahnhofstraße 12, 59199 Bönen")).to_be_visible()
    assert_no_axe_violations(page, "identity page (de)")

    page.get_by_role("button", name="Abmelden").click()

    expect(page.get_by_text("Sie sind nicht angemeldet.")).to_be_visible(timeout=WAIT)
    assert re.search(r"/saml2/whoami/$", page.url), "back from the IdP's single logout"


def test_sign_in_works_by_keyboard_and_without_javascript(make_page, live_saml):
    page = make_page(js=False)
    _start(page, level="substantial")

    sign_in_at_the_idp_by_keyboard(page, "Thị Minh Khai Nguyễn", timeout=WAIT)

    expect(page.locator("#identity-name")).to_have_text("Thị Minh Khai Nguyễn", timeout=WAIT)
    expect(page.get_by_text("identifiziert mit ELSTER-Zertifikat")).to_be_visible()


def test_low_persona_is_refused_for_a_high_service_with_an_explanation(make_page, live_saml):
    page = make_page(locale="en-GB")
    _start(page, level="high")

    page.get_by_role("button", name="Als Zoë Brückner-Øvergaard anmelden").click()

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Your sign-in is not enough for this service", timeout=WAIT)
    expect(page.get_by_text("You sign in with the online ID card")).to_be_visible()
    assert_no_axe_violations(page, "level too low (en)")
    page.goto("/saml2/whoami/")
    expect(page.get_by_text("You are not signed in.")).to_be_visible()
