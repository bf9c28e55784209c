"""The home page in a real browser: language, keyboard, accessibility, no JavaScript."""

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from municipalities.models import Municipality
from tests.e2e.axe import assert_no_axe_violations

HEADING = "Online services for citizens"
TOWNS_HEADING = "Towns and municipalities"


def german(msgid: str) -> str:
    """The German the page should show for an English msgid, read from the same catalog
    the server uses (the msgid itself while the German catalog lacks it)."""
    with translation.override("de"):
        return translation.gettext(msgid)


@pytest.fixture
def district_with_towns() -> tuple[Municipality, list[Municipality]]:
    district = Municipality.objects.create(
        slug="kreis-test",
        name="Kreis Testland",
        ags="05999000",
        kind="district",
        code="KTL",
        population=250000,
        payee_name="Kreis Testland",
        iban="DE81443500600000100404",
        bic="WELADED1UNN",
    )
    towns = [
        Municipality.objects.create(
            slug=slug,
            name=name,
            ags=ags,
            kind="town",
            code=code,
            parent=district,
            population=population,
            payee_name=f"Stadt {name}",
            iban="DE81443500600000100404",
            bic="WELADED1UNN",
        )
        for slug, name, ags, code, population in [
            ("aachtal", "Aachtal", "05999004", "AAC", 48716),
            ("boehmfeld", "Böhmfeld", "05999008", "BOH", 18079),
        ]
    ]
    return district, towns


def test_home_page_is_german_and_lists_the_district_and_its_towns(page: Page, district_with_towns):
    district, towns = district_with_towns

    page.goto("/")

    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text(german(HEADING))
    expect(page.get_by_role("link", name=district.name)).to_have_attribute(
        "href", f"/{district.slug}/"
    )
    towns_heading = page.get_by_role("heading", name=german(TOWNS_HEADING))
    towns_list = page.locator("section", has=towns_heading)
    for town in towns:
        expect(towns_list.get_by_role("link", name=town.name)).to_have_attribute(
            "href", f"/{town.slug}/"
        )
    expect(towns_list.get_by_text("48.716")).to_be_visible()  # German digit grouping


def test_language_switch_shows_english_and_back(page: Page, district_with_towns):
    page.goto("/")

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADING)
    expect(page.locator(".portal-language [aria-current='true']")).to_have_text("English")
    expect(page.get_by_role("button", name="English")).to_have_count(0)
    expect(page.get_by_text("48,716 inhabitants")).to_be_visible()
    assert page.url.endswith("/"), "the switch returns to the page it was used on"

    page.reload()  # the choice is remembered (language cookie)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text(german(HEADING))


def test_first_tab_focuses_the_skip_link_which_moves_focus_to_main(page: Page, district_with_towns):
    page.goto("/")

    page.keyboard.press("Tab")

    skip_link = page.locator("a.portal-skip-link")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    expect(skip_link).to_have_attribute("href", "#main")

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


@pytest.mark.parametrize(("locale", "lang"), [("de-DE", "de"), ("en-GB", "en")])
def test_home_page_has_no_wcag_violations(make_page, district_with_towns, locale, lang):
    page = make_page(locale=locale)

    page.goto("/")

    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert_no_axe_violations(page, f"home page ({lang})")
    page.keyboard.press("Tab")  # the skip link, once visible, must pass too
    assert_no_axe_violations(page, f"home page ({lang}) with the skip link shown")


def test_home_page_and_language_switch_work_without_javascript(make_page, district_with_towns):
    district, towns = district_with_towns
    page = make_page(js=False)

    page.goto("/")

    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("link", name=district.name)).to_be_visible()
    for town in towns:
        expect(page.get_by_role("link", name=town.name)).to_be_visible()

    page.get_by_role("button", name="English").click()  # a plain form POST and redirect

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADING)
