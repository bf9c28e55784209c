"""The legal pages in a real browser (docs/legal.md): reached from the footer by keyboard,
no WCAG violations in either language, and the accessibility feedback sent without
JavaScript."""

import re
from collections.abc import Callable

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import Page, expect

from legal.models import AccessibilityFeedback
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.keyboard import tab_to


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


MESSAGE = "Der Kontrast der Fußzeile ist zu schwach – „Nguyễn Thị Minh Khai“"


def test_the_feedback_form_works_without_javascript(make_page: Callable[..., Page], demo_data):
    page = make_page(js=False)
    page.goto("/boenen/")
    page.locator("footer").get_by_role("link", name="Erklärung zur Barrierefreiheit").click()
    expect(page).to_have_url(re.compile(r"/boenen/barrierefreiheit/$"))

    page.get_by_role("button", name="Nachricht senden").click()  # nothing written yet
    expect(page.get_by_role("alert")).to_contain_text("Beschreiben Sie die Barriere")
    assert not AccessibilityFeedback.objects.exists()

    page.get_by_label("Ihre Nachricht").fill(MESSAGE)
    page.get_by_label("Ihre E-Mail-Adresse").fill("nguyen@example.org")
    page.get_by_role("button", name="Nachricht senden").click()

    expect(page.get_by_text("Vielen Dank. Ihre Nachricht wurde an Bönen gesendet.")).to_be_visible()
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.message == MESSAGE and feedback.email == "nguyen@example.org"
    assert [m.to for m in mail.outbox] == [["barrierefreiheit@boenen.example"]]


def test_the_feedback_form_by_keyboard_with_its_errors_accessible(
    make_page: Callable[..., Page], demo_data
):
    page = make_page()
    page.goto("/boenen/barrierefreiheit/")
    tab_to(page, "#id_message")
    page.keyboard.type(MESSAGE)
    tab_to(page, "#id_email")
    page.keyboard.type("keine-adresse")
    tab_to(page, "main form.portal-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("name@example.org")
    assert_no_axe_violations(page, "feedback form with an error")
    tab_to(page, '#error-summary a[href="#id_email"]')
    page.keyboard.press("Enter")
    expect(page.locator("#id_email")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("nguyen@example.org")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Vielen Dank. Ihre Nachricht wurde an Bönen gesendet.")).to_be_visible()
    assert AccessibilityFeedback.objects.get().message == MESSAGE
