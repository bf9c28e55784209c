"""The subset web fonts in a real browser: residents' names, German quotes and € are drawn
with the portal's Fira Sans (no glyph falls back to a system font), and every weight the
design system asks for is one the portal ships (docs/frontend.md, "Fonts")."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from urllib.parse import quote

import pytest
from playwright.sync_api import Page

from tests.factories import MunicipalityFactory

NAMES = (
    "Nguyễn Thị Minh Khai, Łukasz Yılmaz–Şahin, Ștefan Țărănescu, Dženana Hadžić, "
    "„Groß“ ‚klein‘ … 12,50 € "
) + unicodedata.normalize("NFD", "Trần Thị Hương")


def _fonts(page: Page, selector: str) -> list[dict]:
    """The fonts Chromium rendered the element's text with (DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, selector
    return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


@pytest.fixture
def boenen(transactional_db) -> None:
    MunicipalityFactory(slug="boenen", name="Bönen")


def test_residents_names_are_written_in_the_portals_font_and_weights(
    boenen, make_page: Callable[..., Page]
) -> None:
    page = make_page()
    fonts = []
    page.on(
        "response",
        lambda response: fonts.append(response.url) if ".woff2" in response.url else None,
    )
    page.goto(f"/boenen/?q={quote(NAMES)}")
    page.evaluate("document.fonts.ready")
    assert "Nguyễn" in page.locator("p[role=status]").inner_text()

    # Every glyph of the search echo, names included, comes from the subset Regular.
    used = _fonts(page, "p[role=status]")
    assert [(f["postScriptName"], f["isCustomFont"]) for f in used] == [
        ("FiraSans-Regular", True)
    ], used
    # KERN's x-large heading is Medium, its other headings SemiBold, portal.css's bold too.
    for selector, face in [
        ("h1", "FiraSans-Medium"),
        ("h2", "FiraSans-SemiBold"),
        (".portal-brand__name", "FiraSans-SemiBold"),
    ]:
        assert [f["postScriptName"] for f in _fonts(page, selector)] == [face], selector
    assert fonts and all("/static/vendor/fonts/FiraSans-" in url for url in fonts), fonts
