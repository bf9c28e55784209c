"""The workflow table and its effects through the API: transitions, events, e-mails,
decision documents, refusals."""

import json
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import translation

from cases import workflow
from cases.models import Actor, Attachment, Case, CaseEvent, CaseStep, OutboundEmail
from cases.services import case_apply_action
from cases.workflow import TransitionNotAllowed
from catalog.models import ServiceDefinition

S = Case.Status


@pytest.fixture
def clerk(api, demo):
    user = get_user_model().objects.get(username="clerk-kamen")
    api.force_authenticate(user)
    return user


def act(api, case, action, comment="", token=None):
    url = f"/api/v1/cases/{case.reference}/actions/"
    headers = {"HTTP_X_ACCESS_TOKEN": token} if token else {}
    return api.post(url, {"action": action, "comment": comment}, format="json", **headers)


# --- the table --------------------------------------------------------------------------


def test_statuses_and_actions_are_exactly_those_of_the_contract():
    assert {s.value for s in S} == {
        "submitted",
        "awaiting_payment",
        "in_review",
        "awaiting_applicant",
        "approved",
        "rejected",
        "withdrawn",
    }
    assert set(workflow.CLERK_ACTIONS) >= {"claim", "request_info", "approve", "reject"}
    assert set(workflow.APPLICANT_ACTIONS) == {"respond", "withdraw"}


@pytest.mark.parametrize(
    ("status", "clerk_may"),
    [
        (S.AWAITING_PAYMENT, {"claim", "unassign", "note", "reject", "send_new_link"}),
        (
            S.IN_REVIEW,
            {"claim", "unassign", "note", "request_info", "approve", "reject", "send_new_link"},
        ),
        (S.AWAITING_APPLICANT, {"claim", "unassign", "note", "reject", "send_new_link"}),
        (S.APPROVED, {"note", "send_new_link"}),
        (S.REJECTED, {"note", "send_new_link"}),
        (S.WITHDRAWN, {"note", "send_new_link"}),
    ],
)
def test_clerk_actions_allowed_per_status(status, clerk_may):
    assert set(workflow.allowed_actions(status, Actor.CLERK)) == clerk_may


def test_closed_cases_cannot_be_withdrawn_or_answered():
    for status in (S.APPROVED, S.REJECTED, S.WITHDRAWN):
        assert workflow.allowed_actions(status, Actor.APPLICANT) == []


# --- the flow through the API ------------------------------------------------------------


def test_claim_ask_answer_approve_through_the_api_sends_mail_at_each_step(
    api, clerk, file_case, django_capture_on_commit_callbacks
):
    submitted = file_case("boenen")
    case, token = submitted.case, submitted.access_token
    mail.outbox.clear()

    response = act(api, case, "claim")
    assert response.status_code == 200 and response.json()["assigned_to"] == "clerk-kamen"

    with django_capture_on_commit_callbacks(execute=True):
        response = act(api, case, "request_info", "Bitte die Erlaubnis nachreichen.")
    assert response.json()["status"] == "awaiting_applicant"
    question = mail.outbox[-1]
    assert question.to == ["erika@example.org"]
    assert case.tracking_url in question.body
    assert "Bitte die Erlaubnis nachreichen." in question.body

    api.force_authenticate(None)
    with django_capture_on_commit_callbacks(execute=True):
        response = act(api, case, "respond", "Anbei.", token=token)
    assert response.json()["status"] == "in_review"
    # The assigned clerk hears about the answer, nobody else.
    answer = mail.outbox[-1]
    assert answer.to == ["clerk-kamen@kreisportal.example"]
    assert "Anbei." in answer.body

    api.force_authenticate(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = act(api, case, "approve", "Viel Erfolg!")
    assert response.json()["status"] == "approved"
    decision = mail.outbox[-1]
    assert decision.to == ["erika@example.org"]
    assert case.tracking_url in decision.body
    assert [a[2] for a in decision.attachments] == ["application/pdf"]
    document = Attachment.objects.get(case=case, kind=Attachment.Kind.DOCUMENT)
    assert document.public

    types = [e["type"] for e in response.json()["events"]]
    assert types[:2] == ["submitted", "status"]
    assert [t for t in types if t in workflow.ACTIONS] == [
        "claim",
        "request_info",
        "respond",
        "approve",
    ]
    # The citizen sees the public part of the timeline and the decision document.
    api.force_authenticate(None)
    public = api.get(f"/api/v1/cases/{case.reference}/", HTTP_X_ACCESS_TOKEN=token).json()
    assert "claim" not in [e["type"] for e in public["events"]]
    assert [a["kind"] for a in public["attachments"]] == ["document"]


def test_every_transition_records_one_event_with_from_and_to(clerk, file_case):
    case = file_case("boenen").case
    before = case.events.count()

    case_apply_action(
        case=case, action="request_info", actor_kind=Actor.CLERK, actor=clerk, comment="?"
    )

    event = case.events.order_by("-id").first()
    assert case.events.count() == before + 1
    assert (event.type, event.from_status, event.to_status) == (
        "request_info",
        "in_review",
        "awaiting_applicant",
    )
    assert event.actor == clerk and event.visibility == CaseEvent.Visibility.PUBLIC


def test_reject_makes_a_decision_pdf_and_mails_the_reason(
    api, clerk, file_case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the submission's steps first
        case = file_case("boenen").case
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = act(api, case, "reject", "Die Tätigkeit ist erlaubnispflichtig.")

    assert response.status_code == 200 and response.json()["status"] == "rejected"
    (message,) = [m for m in mail.outbox if m.to == ["erika@example.org"]]
    assert "Die Tätigkeit ist erlaubnispflichtig." in message.body
    assert message.attachments and message.attachments[0][1].startswith(b"%PDF")
    assert Attachment.objects.filter(case=case, kind=Attachment.Kind.DOCUMENT).count() == 1


def test_forward_to_agency_sends_json_and_pdf_to_the_configured_address(
    api, clerk, file_case, django_capture_on_commit_callbacks
):
    ServiceDefinition.objects.filter(key="gewerbe-anmelden").update(
        agency_email="gewerbeamt@agency.example"
    )
    case = file_case("boenen").case
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        act(api, case, "approve")

    (forward,) = [m for m in mail.outbox if m.to == ["gewerbeamt@agency.example"]]
    kinds = {name.rsplit(".", 1)[1]: content for name, content, _mime in forward.attachments}
    assert set(kinds) == {"json", "pdf"}
    payload = json.loads(kinds["json"])
    assert payload["reference"] == case.reference
    assert payload["municipality"] == "boenen" and payload["processing_authority"] == "kamen"
    assert payload["data"]["taetigkeit"] == "Fahrradreparatur"


def test_forward_without_agency_address_sends_nothing_and_says_so(
    api, clerk, file_case, django_capture_on_commit_callbacks
):
    case = file_case("boenen").case
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        act(api, case, "approve")

    assert CaseEvent.objects.filter(case=case, type="forward_to_agency").exists()
    assert not OutboundEmail.objects.filter(step__case=case, purpose="agency").exists()


def test_decision_mail_waits_for_the_document_even_when_it_runs_first(
    clerk, file_case, django_capture_on_commit_callbacks
):
    """Workers run steps in any order: notify_applicant must not mail a decision without
    the PDF just because issue_document has not run yet."""
    from cases.tasks import run_step

    case = file_case("boenen").case
    with mock.patch("cases.steps.dispatch"):  # nothing runs by itself
        with django_capture_on_commit_callbacks(execute=True):
            case_apply_action(case=case, action="approve", actor_kind=Actor.CLERK, actor=clerk)
    notify = CaseStep.objects.get(case=case, name="notify_applicant")
    mail.outbox.clear()

    assert run_step(notify.pk) == "done"

    (message,) = mail.outbox
    assert message.attachments and message.attachments[0][2] == "application/pdf"
    assert CaseStep.objects.get(case=case, name="issue_document").status == "done"


def test_services_that_do_not_list_notify_applicant_still_mail_the_question(
    clerk, file_case, django_capture_on_commit_callbacks
):
    service = ServiceDefinition.objects.get(key="gewerbe-anmelden")
    assert "notify_applicant" not in service.process_steps  # the demo data, as it is
    with django_capture_on_commit_callbacks(execute=True):  # the submission's steps first
        case = file_case("boenen").case
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        case_apply_action(
            case=case, action="request_info", actor_kind=Actor.CLERK, actor=clerk, comment="?"
        )

    assert [m.to for m in mail.outbox] == [["erika@example.org"]]


# --- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "phrase"), [("en", "is not possible while"), ("de", None)])
def test_disallowed_transition_is_409_with_the_reason_in_the_callers_language(
    api, clerk, file_case, language, phrase
):
    case = file_case("boenen").case
    act(api, case, "reject", "Nein.")
    with translation.override(language):
        expected = phrase or translation.gettext(
            "The action “%(action)s” is not possible while the case is “%(status)s”."
        ).split("%(action)s")[0].rstrip('„“"')

    response = api.post(
        f"/api/v1/cases/{case.reference}/actions/",
        {"action": "approve"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 409
    assert expected in response.json()["detail"]


def test_approve_while_awaiting_payment_is_409(api, clerk, file_case):
    case = file_case("boenen").case
    Case.objects.filter(pk=case.pk).update(status=S.AWAITING_PAYMENT)

    response = act(api, case, "approve")

    assert response.status_code == 409
    assert response.json()["status"] == "awaiting_payment"


@pytest.mark.parametrize("colleague_first", [True, False], ids=["before-lock", "after-check"])
def test_a_409_reports_the_status_the_case_has_now_not_the_one_first_read(
    api, clerk, file_case, colleague_first
):
    """The request read "in_review"; a colleague rejected the case before the row lock was
    taken (PostgreSQL: the lock waits, then reads "rejected"), or after the check passed on
    a stale read (SQLite: the compare-and-set loses). The 409 names "rejected" either way,
    so the client need not ask again."""
    case = file_case("boenen").case
    real_check = workflow.check_allowed

    def colleague_rejects(transition, status):
        if colleague_first:
            Case.objects.filter(pk=case.pk).update(status=S.REJECTED)
            status = S.REJECTED
        real_check(transition, status)
        Case.objects.filter(pk=case.pk).update(status=S.REJECTED)

    with mock.patch("cases.services.check_allowed", colleague_rejects):
        response = act(api, case, "approve")

    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "rejected"
    assert body["detail"] and body["errors"] == {}


def test_a_stale_read_cannot_win_a_second_decision(clerk, file_case):
    """Compare-and-set: even if two actions read "in_review" (SQLite has no row locks),
    only the first status change is written; the second is refused."""
    case = file_case("boenen").case
    real_check = workflow.check_allowed

    def competitor_decides_in_between(transition, status):
        real_check(transition, status)
        Case.objects.filter(pk=case.pk).update(status=S.REJECTED)

    with mock.patch("cases.services.check_allowed", competitor_decides_in_between):
        with pytest.raises(TransitionNotAllowed):
            case_apply_action(case=case, action="approve", actor_kind=Actor.CLERK, actor=clerk)

    assert not CaseEvent.objects.filter(case=case, type="approve").exists()


def test_answer_to_an_unclaimed_case_goes_to_all_clerks_of_the_authority(
    clerk, file_case, django_capture_on_commit_callbacks
):
    from municipalities.models import Membership, Municipality
    from tests.factories import UserFactory

    colleague = UserFactory(username="kamen-2", email="kamen-2@kamen.example")
    Membership.objects.create(
        user=colleague, municipality=Municipality.objects.get(slug="kamen"), role="clerk"
    )
    with django_capture_on_commit_callbacks(execute=True):  # the earlier steps first
        case = file_case("boenen").case
        case_apply_action(
            case=case, action="request_info", actor_kind=Actor.CLERK, actor=clerk, comment="?"
        )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        case_apply_action(case=case, action="respond", actor_kind=Actor.APPLICANT, comment="!")

    (notice,) = mail.outbox
    assert sorted(notice.to) == ["clerk-kamen@kreisportal.example", "kamen-2@kamen.example"]
    assert case.reference in notice.subject and "New case" not in notice.subject
    # Bönen's clerk (the filing town) hears nothing about a case it delegated.
    assert "clerk-boenen@kreisportal.example" not in notice.to
