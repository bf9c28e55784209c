"""A clerk works a delegated case in a real browser (issue 4, acceptance 1): Kamen's clerk
claims a business registration filed in Bönen, asks a question, the citizen answers on the
tracking page, the clerk approves; e-mails go out at each step, the timeline shows it all,
and axe finds no WCAG 2.1 A/AA violation on the queue and case pages."""

from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import Page, expect

from cases.models import Attachment, Case
from cases.services import case_submit
from municipalities.models import Municipality
from tests.conftest import DEMO_ANSWERS
from tests.e2e.axe import assert_no_axe_violations

WAIT = 20_000
CLERK_MAIL = "clerk-kamen@kreisportal.example"
CITIZEN_MAIL = "erika@example.org"


def german(msgid: str) -> str:
    with translation.override("de"):
        return translation.gettext(msgid)


@pytest.fixture
def delegated_case(transactional_db) -> Case:
    call_command("load_demo", password="demo", verbosity=0)
    return case_submit(
        municipality=Municipality.objects.get(slug="boenen"),
        service_key="gewerbe-anmelden",
        applicant={"name": "Erika Muster", "email": CITIZEN_MAIL},
        data=dict(DEMO_ANSWERS["gewerbe-anmelden"]),
    ).case


def sign_in(page: Page, username: str) -> None:
    page.goto("/workspace/")
    assert "/accounts/login/" in page.url
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("demo")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(german("Case queue"), timeout=WAIT)


def act(page: Page, action: str, comment: str | None = None) -> None:
    form = page.locator(f'form:has(input[name="action"][value="{action}"])')
    if comment is not None:
        form.locator("textarea").fill(comment)
    form.locator("button[type=submit]").click()
    expect(page.locator(".kern-alert--success")).to_be_visible(timeout=WAIT)


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def test_clerk_claims_asks_citizen_answers_clerk_approves(
    make_page: Callable[..., Page], delegated_case: Case
):
    case = delegated_case
    mail.outbox.clear()
    clerk = make_page()
    sign_in(clerk, "clerk-kamen")

    row = clerk.locator("tbody tr", has=clerk.get_by_role("link", name=case.reference))
    expect(row).to_contain_text("Bönen")
    expect(row).to_contain_text(german("delegated"))
    assert_no_axe_violations(clerk, "workspace queue (de)")

    clerk.get_by_role("link", name=case.reference).click()
    expect(clerk.locator("#case-status")).to_have_text(german("In review"), timeout=WAIT)
    assert_no_axe_violations(clerk, "workspace case page (de)")

    act(clerk, "claim")
    act(clerk, "request_info", "Bitte laden Sie die Erlaubnis hoch.")
    expect(clerk.locator("#case-status")).to_have_text(german("Awaiting answer"))
    (question,) = mails_to(CITIZEN_MAIL)[-1:]
    assert "Bitte laden Sie die Erlaubnis hoch." in question.body
    tracking = next(line for line in question.body.splitlines() if "/track/" in line)
    assert case.reference in tracking and "access_token=" in tracking

    citizen = make_page()
    parts = urlsplit(tracking.strip())
    citizen.goto(f"{parts.path}?{parts.query}")
    expect(citizen.get_by_text("Bitte laden Sie die Erlaubnis hoch.")).to_be_visible()
    citizen.locator("#field-comment").fill("Die Erlaubnis liegt bei.")
    citizen.locator('form:has(input[value="respond"]) button[type=submit]').click()
    expect(citizen.locator(".kern-alert--success")).to_be_visible(timeout=WAIT)
    (answer,) = mails_to(CLERK_MAIL)[-1:]
    assert "Die Erlaubnis liegt bei." in answer.body

    clerk.reload()
    expect(clerk.locator("#case-status")).to_have_text(german("In review"))
    act(clerk, "approve", "Viel Erfolg mit Ihrem Gewerbe!")
    expect(clerk.locator("#case-status")).to_have_text(german("Approved"))
    decision = mails_to(CITIZEN_MAIL)[-1]
    assert "Viel Erfolg mit Ihrem Gewerbe!" in decision.body
    assert decision.attachments and decision.attachments[0][2] == "application/pdf"

    timeline = clerk.locator("#timeline")
    for label in ("Claim", "Request information", "Send answer", "Approve"):
        expect(timeline).to_contain_text(german(label))
    expect(timeline).to_contain_text("Bitte laden Sie die Erlaubnis hoch.")
    expect(timeline).to_contain_text("Die Erlaubnis liegt bei.")
    expect(timeline).to_contain_text(german("internal"))  # the claim is marked internal
    assert_no_axe_violations(clerk, "workspace case page after the decision (de)")

    # The decision PDF is on the citizen's tracking page.
    document = Attachment.objects.get(case=case, kind=Attachment.Kind.DOCUMENT)
    citizen.reload()
    expect(citizen.get_by_role("link", name=document.original_name)).to_be_visible()


def test_refused_action_shows_an_error_on_the_page(
    make_page: Callable[..., Page], delegated_case: Case
):
    """Two tabs: the case is rejected in one, then approve is pressed in the other."""
    clerk = make_page(js=False)
    sign_in(clerk, "clerk-kamen")
    clerk.goto(f"/workspace/cases/{delegated_case.reference}/")
    other = make_page(js=False)
    sign_in(other, "clerk-kamen")
    other.goto(f"/workspace/cases/{delegated_case.reference}/")
    act(other, "reject", "Nicht erlaubnisfähig.")

    clerk.locator('form:has(input[value="approve"]) button[type=submit]').click()

    expect(clerk.locator(".portal-error-summary")).to_be_visible(timeout=WAIT)
    expect(clerk.locator("#case-status")).to_have_text(german("Rejected"))


def test_queue_and_case_pages_in_english_have_no_wcag_violations(
    make_page: Callable[..., Page], delegated_case: Case
):
    page = make_page(locale="en-GB")
    page.goto("/workspace/")
    page.locator("#id_username").fill("clerk-kamen")
    page.locator("#id_password").fill("demo")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Case queue", timeout=WAIT)
    assert_no_axe_violations(page, "workspace queue (en)")
    page.get_by_role("link", name=delegated_case.reference).click()
    page.locator('form:has(input[value="reject"]) button[type=submit]').click()  # no reason
    expect(page.locator(".portal-error-summary")).to_be_visible(timeout=WAIT)
    assert_no_axe_violations(page, "workspace case page with an error (en)")
