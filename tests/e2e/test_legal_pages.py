"""The legal pages in a real browser (docs/legal.md): reached from the footer by keyboard,
no WCAG violations in either language, and the accessibility feedback sent without
JavaScript."""

from collections.abc import Callable

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.e2e.axe import assert_no_axe_violations


@pytest.fixture
def demo_data(transactional_db) -> None:
    call_command("load_demo", password="demo", verbosity=0)


@pytest.mark.parametrize(("locale", "lang"), [("de-DE", "de"), ("en-GB", "en")])
@pytest.mark.parametrize("path", ["impressum", "datenschutz", "barrierefreiheit"])
def test_bonens_legal_pages_have_no_wcag_violations(
    make_page: Callable[..., Page], demo_data, path, locale, lang
):
    page = make_page(locale=locale)
    page.goto(f"/boenen/{path}/")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert_no_axe_violations(page, f"/boenen/{path}/ ({lang})")
