"""A citizen registers a new address in Bergkamen in a real browser (issue 3, acceptance 5):
with JavaScript, without it, by keyboard alone, and checked by axe on every page in German
and English."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import FileChooser, Page, expect

from cases.models import Case
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.keyboard import tab_to

PDF = Path(__file__).resolve().parent / "files" / "wohnungsgeberbestaetigung.pdf"
SERVICE_URL = "/bergkamen/wohnsitz-anmelden/"
# Page loads after a POST can take a while on a busy CI machine; expect()'s 5 s is tight.
WAIT = 20_000

TEXT_ANSWERS = {
    1: {"familienname": "Muster", "vornamen": "Erika"},
    2: {"strasse": "Rathausplatz", "hausnummer": "1", "plz": "59192", "ort": "Bergkamen"},
    3: {"bisherige_anschrift": "Hauptstraße 5, 44135 Dortmund"},
    5: {"applicant_name": "Erika Muster", "applicant_email": "erika@example.org"},
}
DATE_ANSWERS = {1: {"geburtsdatum": "15.03.1990"}, 2: {"einzugsdatum": "2.11.2026"}}
# The first choice of each radio group: reachable by Tab and Space alone.
CHOICES = {1: ["staatsangehoerigkeit"], 2: ["wohnungsstatus"]}


def translated(msgid: str, language: str) -> str:
    """What the page shows for an English msgid in `language` (the same catalog the
    server reads; the msgid itself while the German catalog lacks it)."""
    with translation.override(language):
        return translation.gettext(msgid)


@pytest.fixture
def demo_data(transactional_db) -> None:
    call_command("load_demo", password="demo", verbosity=0)


def _progress(page: Page, step: int, language: str) -> None:
    expected = translated("Step %(step)s of %(total)s", language) % {"step": step, "total": 5}
    expect(page.locator("#step-progress")).to_have_text(expected, timeout=WAIT)


def _submit(page: Page) -> None:
    page.locator("main form.portal-form button[type=submit]").last.click()


def _fill_step_with_mouse(page: Page, step: int) -> None:
    for name, value in {**TEXT_ANSWERS.get(step, {}), **DATE_ANSWERS.get(step, {})}.items():
        page.locator(f"#field-{name}").fill(value)
    for name in CHOICES.get(step, []):
        page.locator(f"#field-{name}").check()
    if step == 4:
        page.locator("#field-wohnungsgeberbestaetigung").set_input_files(PDF)


def _journey(page: Page, *, language: str = "de", axe: bool = True) -> str:
    """From the town's service list to the tracking page; returns the reference."""

    def check(label: str) -> None:
        if axe:
            assert_no_axe_violations(page, f"{label} ({language})")

    page.goto("/bergkamen/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    check("service list")
    page.locator("#service-search").fill("Wohnsitz" if language == "de" else "address")
    page.locator("search button[type=submit]").click()
    page.locator(f'a[href="{SERVICE_URL}"]').click()
    expect(page).to_have_url(re.compile(f"{SERVICE_URL}$"), timeout=WAIT)

    for step in range(1, 6):
        _progress(page, step, language)
        check(f"step {step}")
        if step == 1:
            _submit(page)  # nothing answered yet: the error state
            summary = page.locator("#error-summary")
            expect(summary).to_be_visible(timeout=WAIT)
            expect(summary.locator('a[href="#field-familienname"]')).to_be_visible()
            check("step 1 with errors")
        _fill_step_with_mouse(page, step)
        _submit(page)

    expect(page).to_have_url(re.compile(f"{SERVICE_URL}check/$"), timeout=WAIT)
    expect(page.locator("main")).to_contain_text("wohnungsgeberbestaetigung.pdf")
    expect(page.locator("main")).to_contain_text("Rathausplatz")
    check("check your answers")
    _submit(page)

    expect(page).to_have_url(re.compile(f"{SERVICE_URL}done/[A-Z0-9-]+/$"), timeout=WAIT)
    reference = page.locator("#case-reference").inner_text().strip()
    check("confirmation")
    page.locator("#tracking-link").click()
    # The link's token is exchanged for a cookie: the address keeps no token.
    expect(page).to_have_url(re.compile(f"/track/{reference}/$"), timeout=WAIT)
    expect(page.locator("#case-status")).to_have_text(
        translated("In review", language), timeout=WAIT
    )
    check("tracking page")
    return reference


def _assert_filed(reference: str, *, language: str = "de") -> None:
    case = Case.objects.get(reference=reference)
    assert case.municipality.slug == "bergkamen"
    assert case.service.key == "wohnsitz-anmelden"
    assert case.language == language
    assert case.data["plz"] == "59192"
    assert case.data["geburtsdatum"] == "1990-03-15"
    assert case.data["einzugsdatum"] == "2026-11-02"
    upload = case.attachments.get(field_name="wohnungsgeberbestaetigung")
    assert upload.content_type == "application/pdf"
    assert upload.original_name == "wohnungsgeberbestaetigung.pdf"


@pytest.mark.parametrize("language,locale", [("de", "de-DE"), ("en", "en-GB")])
def test_citizen_files_an_address_registration_and_axe_finds_no_violation(
    make_page: Callable[..., Page], demo_data, language, locale
):
    page = make_page(locale=locale)
    reference = _journey(page, language=language)
    _assert_filed(reference, language=language)


def test_citizen_files_the_request_without_javascript(make_page: Callable[..., Page], demo_data):
    page = make_page(js=False)
    reference = _journey(page, axe=False)
    _assert_filed(reference)


def _open_file_chooser_by_keyboard(page: Page, choosers: list[FileChooser]) -> FileChooser:
    """Space on the focused file field opens the browser's file chooser. The listener was
    registered when the page opened (Playwright intercepts choosers once one is listened
    for; registering it only around the key press has raced the press under load)."""
    opened = len(choosers)
    page.keyboard.press("Space")
    for _ in range(300):
        if len(choosers) > opened:
            return choosers[-1]
        page.wait_for_timeout(100)
    pytest.fail("Space on the focused file field opened no file chooser within 30 s")


def _type_step_by_keyboard(page: Page, step: int, choosers: list[FileChooser]) -> None:
    for name, value in TEXT_ANSWERS.get(step, {}).items():
        tab_to(page, f"#field-{name}")
        page.keyboard.type(value)
    for name, value in DATE_ANSWERS.get(step, {}).items():
        tab_to(page, f"#field-{name}")
        page.keyboard.type(value)
    for name in CHOICES.get(step, []):
        tab_to(page, f"#field-{name}")
        page.keyboard.press("Space")
        expect(page.locator(f"#field-{name}")).to_be_checked()
    if step == 4:
        tab_to(page, "#field-wohnungsgeberbestaetigung")
        _open_file_chooser_by_keyboard(page, choosers).set_files(PDF)
    tab_to(page, "main form.portal-form button[type=submit]")
    page.keyboard.press("Enter")


def test_citizen_files_the_request_by_keyboard_alone(make_page: Callable[..., Page], demo_data):
    page = make_page()
    choosers: list[FileChooser] = []
    page.on("filechooser", lambda chooser: choosers.append(chooser))
    page.goto("/bergkamen/")
    tab_to(page, "#service-search")
    page.keyboard.type("Wohnsitz")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?q=Wohnsitz"), timeout=WAIT)
    tab_to(page, f'a[href="{SERVICE_URL}"]')
    page.keyboard.press("Enter")

    for step in range(1, 6):
        _progress(page, step, "de")
        _type_step_by_keyboard(page, step, choosers)

    expect(page).to_have_url(re.compile(f"{SERVICE_URL}check/$"), timeout=WAIT)
    tab_to(page, "main form.portal-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"{SERVICE_URL}done/[A-Z0-9-]+/$"), timeout=WAIT)
    reference = page.locator("#case-reference").inner_text().strip()
    tab_to(page, "#tracking-link")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"/track/{reference}/"), timeout=WAIT)
    _assert_filed(reference)


def test_error_summary_link_moves_focus_to_the_field(make_page: Callable[..., Page], demo_data):
    page = make_page()
    page.goto(SERVICE_URL)
    _submit(page)
    tab_to(page, '#error-summary a[href="#field-vornamen"]')
    page.keyboard.press("Enter")
    expect(page.locator("#field-vornamen")).to_be_focused()


def test_withdraw_from_the_tracking_page(make_page: Callable[..., Page], demo_data):
    page = make_page()
    reference = _journey(page, axe=False)
    page.locator("#field-confirm").check()
    page.locator('form:has(input[value="withdraw"]) button[type=submit]').click()
    expect(page.locator("#case-status")).to_have_text(translated("Withdrawn", "de"), timeout=WAIT)
    assert_no_axe_violations(page, "tracking page after withdrawal (de)")
    assert Case.objects.get(reference=reference).status == Case.Status.WITHDRAWN


def test_citizen_answers_a_question_of_the_authority_with_a_file(
    make_page: Callable[..., Page], demo_data
):
    from django.contrib.auth import get_user_model

    from cases.models import Actor
    from cases.services import case_apply_action

    page = make_page()
    reference = _journey(page, axe=False)
    case = Case.objects.get(reference=reference)
    clerk = get_user_model().objects.get(username="clerk-bergkamen")
    case_apply_action(
        case=case,
        action="request_info",
        actor_kind=Actor.CLERK,
        actor=clerk,
        comment="Bitte Ausweis.",
    )
    page.reload()
    expect(page.locator("main")).to_contain_text("Bitte Ausweis.")
    page.locator('form:has(input[value="respond"]) button[type=submit]').click()
    expect(page.locator("#error-summary a[href='#field-comment']")).to_be_visible(timeout=WAIT)
    assert_no_axe_violations(page, "tracking page, answer missing (de)")
    page.locator("#field-comment").fill("Anbei mein Ausweis.")
    page.locator("#field-files").set_input_files(PDF.parent / "photo.png")
    page.locator('form:has(input[value="respond"]) button[type=submit]').click()
    expect(page.locator("#case-status")).to_have_text(translated("In review", "de"), timeout=WAIT)
    assert_no_axe_violations(page, "tracking page after answering (de)")
    case.refresh_from_db()
    assert case.status == Case.Status.IN_REVIEW
    assert case.attachments.filter(original_name="photo.png").exists()
