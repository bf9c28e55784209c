"""A Führungszeugnis filed with the online ID card in a real browser (issue 15, acceptance 3):
the service page sends the citizen to the development IdP, the persona at level "high"
signs in, the form shows name and birth date filled in and locked, the case is filed and
appears under "Meine Anträge" beside the same person's case in another town; a persona at
level "low" is refused with an explanation. The portal runs on the live server
(localhost), the IdP on 127.0.0.1: two sites, as with BundID."""

import datetime
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from cases.models import Case
from cases.services import case_submit
from identity.citizen import Identity
from identity.levels import Level
from municipalities.models import Municipality
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.keyboard import sign_in_at_the_idp_by_keyboard
from tests.saml import devidp  # noqa: F401  (fixture)

WAIT = 20_000
SERVICE = "/unna/fuehrungszeugnis/"


@pytest.fixture
def live_saml(devidp, live_server, settings, transactional_db):  # noqa: F811
    for name, value in devidp.settings(PORTAL_BASE_URL=live_server.url).items():
        setattr(settings, name, value)
    devidp.register_sp("live", PORTAL_BASE_URL=live_server.url)
    call_command("load_demo", password="demo", verbosity=0)
    return devidp


def _continue(page: Page) -> None:
    page.locator("main form.portal-form button[type=submit]").last.click()


def _sign_in_from_the_service_page(page: Page, persona: str) -> None:
    page.goto("/unna/")
    card = page.locator("li", has=page.locator(f'a[href="{SERVICE}"]'))
    expect(card).to_contain_text("Sie melden sich mit dem Online-Ausweis an")
    card.locator(f'a[href="{SERVICE}"]').click()
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/sso/redirect\?"), timeout=WAIT)
    page.get_by_role("button", name=f"Als {persona} anmelden").click()


def test_a_high_persona_files_a_fuehrungszeugnis_and_sees_it_under_meine_antraege(
    page: Page, live_saml
):
    _sign_in_from_the_service_page(page, "Łukasz Yılmaz–Şahin")

    expect(page).to_have_url(re.compile(f"{SERVICE}$"), timeout=WAIT)
    expect(page.locator("#signed-in-as")).to_contain_text("identifiziert mit Online-Ausweis")
    for field, value in (
        ("familienname", "Yılmaz–Şahin"),
        ("vornamen", "Łukasz"),
        ("geburtsdatum", "14.03.1987"),
    ):
        box = page.locator(f"#field-{field}")
        expect(box).to_have_value(value)
        expect(box).not_to_be_editable()
        expect(page.locator(f"#field-{field}-verified")).to_contain_text("BundID")
    assert_no_axe_violations(page, "Führungszeugnis step 1, signed in")
    page.locator("#field-geburtsname").fill("Yılmaz")
    page.locator("#field-geburtsort").fill("Gdańsk")
    _continue(page)
    page.locator("#field-art").check()
    _continue(page)
    _continue(page)  # no document needed for a private certificate
    expect(page.locator("#field-applicant_name")).to_have_value("Łukasz Yılmaz–Şahin", timeout=WAIT)
    expect(page.locator("#field-applicant_name")).not_to_be_editable()
    _continue(page)
    expect(page).to_have_url(re.compile(f"{SERVICE}check/$"), timeout=WAIT)
    expect(page.locator("main")).to_contain_text("14.03.1987")
    _continue(page)
    expect(page).to_have_url(re.compile(f"{SERVICE}done/[A-Z0-9-]+/$"), timeout=WAIT)
    reference = page.locator("#case-reference").inner_text().strip()

    filed = Case.objects.get(reference=reference)
    assert filed.identity_level == Level.HIGH
    assert filed.data["familienname"] == "Yılmaz–Şahin"
    # The same person (same pseudonym) filed in Kamen earlier, signed in the same way.
    elsewhere = case_submit(
        municipality=Municipality.objects.get(slug="kamen"),
        service_key="meldebescheinigung",
        applicant={},
        data={"art": "einfach", "zustellung": "post"},
        identity=Identity(
            pseudonym=filed.applicant_pseudonym,
            level=Level.HIGH,
            authenticated_at=filed.identified_at,
            given_name="Łukasz",
            family_name="Yılmaz–Şahin",
            birth_date=datetime.date(1987, 3, 14),
            street="Bahnhofstraße 12",
            postal_code="59199",
            locality="Bönen",
            email="lukasz.yilmaz-sahin@example.org",
        ),
    ).case

    page.get_by_role("link", name="Meine Anträge").first.click()
    expect(page.locator("h1")).to_have_text("Meine Anträge", timeout=WAIT)
    mine = page.locator("main")
    expect(mine.locator(f"#case-{reference}")).to_contain_text("Führungszeugnis beantragen")
    expect(mine.locator(f"#case-{reference}")).to_contain_text("Unna")
    expect(mine.locator(f"#case-{elsewhere.reference}")).to_contain_text("Kamen")
    expect(mine.locator(f"#case-{reference}")).to_contain_text("Zahlung ausstehend")
    assert_no_axe_violations(page, "Meine Anträge")

    mine.locator(f"#case-{reference} h3 a").click()
    expect(page.locator("#case-status")).to_have_text("Zahlung ausstehend", timeout=WAIT)

    page.goto("/meine-antraege/")
    page.get_by_role("button", name="Abmelden").click()
    expect(page).to_have_url(re.compile(r"/meine-antraege/$"), timeout=WAIT)
    expect(page.locator("#my-cases-sign-in")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(reference)


def test_meine_antraege_works_by_keyboard_and_without_javascript(make_page, live_saml):
    page = make_page(js=False)
    page.goto("/meine-antraege/")
    link = page.locator("#my-cases-sign-in")
    link.focus()
    page.keyboard.press("Enter")
    sign_in_at_the_idp_by_keyboard(page, "Zoë Brückner-Øvergaard", timeout=WAIT)
    expect(page.locator("#my-cases-identity")).to_contain_text(
        "Zoë Brückner-Øvergaard", timeout=WAIT
    )
    expect(page.locator("main")).to_contain_text("noch keinen Antrag")


def test_a_low_persona_is_refused_for_the_fuehrungszeugnis_with_an_explanation(
    make_page, live_saml
):
    page = make_page(locale="de-DE")
    _sign_in_from_the_service_page(page, "Zoë Brückner-Øvergaard")

    heading = page.get_by_role("heading", level=1)
    expect(heading).not_to_have_text("", timeout=WAIT)
    main = page.locator("main")
    expect(main).to_contain_text("Sie melden sich mit dem Online-Ausweis an")
    expect(main).to_contain_text("AusweisApp")
    assert_no_axe_violations(page, "level too low, from the service page (de)")
    page.goto(SERVICE)
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/sso/redirect\?"), timeout=WAIT)
    assert not Case.objects.exists()
