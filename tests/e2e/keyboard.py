"""Moving through a page by keyboard alone, as the e2e journeys do (WCAG 2.1.1)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect


def tab_to(page: Page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
    pytest.fail(f"Tab never reached {selector} on {page.url}")


def sign_in_at_the_idp_by_keyboard(page: Page, persona: str, *, timeout: float = 20_000) -> None:
    """On the development IdP's page: choose `persona` and go on to the portal, each by
    focusing the button and pressing Enter (works with JavaScript off, too)."""
    button = page.get_by_role("button", name=f"Als {persona} anmelden")
    button.focus()
    page.keyboard.press("Enter")
    forward = page.get_by_role("button", name="Weiter zum Dienst")
    expect(forward).to_be_visible(timeout=timeout)
    forward.focus()
    page.keyboard.press("Enter")
