"""The privacy officer in a real browser, by keyboard: signs in, finds a person's requests
across the district, reads the erasure report (an open request held back with its
reason) and erases the rest; axe finds no WCAG 2.1 A/AA violation on any of the pages. The
same journey works without JavaScript."""

from collections.abc import Callable

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from cases.models import Actor, Case
from cases.services import case_apply_action, case_submit
from municipalities.models import Membership, Municipality
from tests.conftest import DEMO_ANSWERS
from tests.e2e.axe import assert_no_axe_violations
from tests.factories import MembershipFactory, UserFactory

EMAIL = "nguyen.minh.khai@example.org"


@pytest.fixture
def requests_of_one_person(transactional_db) -> tuple[Case, Case]:
    call_command("load_demo", password="demo", verbosity=0)
    officer = UserFactory(username="datenschutz")
    officer.set_password("demo")
    officer.save()
    MembershipFactory(
        user=officer,
        municipality=Municipality.objects.get(kind=Municipality.Kind.DISTRICT),
        role=Membership.Role.PRIVACY_OFFICER,
    )

    def filed(town: str) -> Case:
        return case_submit(
            municipality=Municipality.objects.get(slug=town),
            service_key="gewerbe-anmelden",
            applicant={"name": "Nguyễn Thị Minh Khai", "email": EMAIL},
            data=dict(DEMO_ANSWERS["gewerbe-anmelden"]),
        ).case

    decided, still_open = filed("boenen"), filed("kamen")
    clerk = Membership.objects.get(municipality__slug="kamen", role="clerk").user
    case_apply_action(
        case=decided, action="reject", actor_kind=Actor.CLERK, actor=clerk, comment="Nein"
    )
    return decided, still_open


def journey(page: Page, decided: Case, still_open: Case, *, axe: bool) -> None:
    page.goto("/district/privacy/")
    page.locator("#id_username").fill("datenschutz")
    page.locator("#id_password").fill("demo")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Anfragen betroffener Personen")
    if axe:
        assert_no_axe_violations(page, "privacy search (de)")

    page.locator("#email").fill("")
    page.keyboard.press("Enter")  # empty: the error names the field
    expect(page.locator("#email-error")).to_be_visible()
    if axe:
        assert_no_axe_violations(page, "privacy search error (de)")
    page.locator("#email").fill(EMAIL)
    page.keyboard.press("Enter")
    expect(page.locator("#results-heading")).to_have_text("2 Anträge gefunden")
    expect(page.locator("main table")).to_contain_text("Bönen")
    if axe:
        assert_no_axe_violations(page, "privacy results (de)")

    page.get_by_role("button", name="Prüfen, was eine Löschung löschen würde").focus()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Löschbericht")
    expect(page.locator("main")).to_contain_text(still_open.reference)
    expect(page.locator("main")).to_contain_text("wird noch bearbeitet")
    if axe:
        assert_no_axe_violations(page, "erasure report (de)")

    page.get_by_role("button", name="Jetzt löschen").focus()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("1 Antrag gelöscht")
    if axe:
        assert_no_axe_violations(page, "erased (de)")
    decided.refresh_from_db()
    still_open.refresh_from_db()
    assert decided.applicant_email == "" and still_open.applicant_email == EMAIL


def test_privacy_officer_by_keyboard_with_axe(
    make_page: Callable[..., Page], requests_of_one_person
):
    journey(make_page(), *requests_of_one_person, axe=True)


def test_privacy_officer_without_javascript(make_page: Callable[..., Page], requests_of_one_person):
    journey(make_page(js=False), *requests_of_one_person, axe=False)
