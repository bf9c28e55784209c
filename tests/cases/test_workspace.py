"""The clerk's pages: queue, case page, actions, downloads."""

import datetime
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Actor, Attachment, Case, CaseEvent
from cases.queue import QueuePosition
from cases.services import case_apply_action, case_submit
from municipalities.models import Membership, Municipality
from tests.conftest import DEMO_ANSWERS, rls_queries
from tests.factories import UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def kamen(client, demo):
    """The clerk of Kamen (processes Bönen's business registrations), logged in."""
    client.login(username="clerk-kamen", password="demo")
    return get_user_model().objects.get(username="clerk-kamen")


def queue_url(**params) -> str:
    from urllib.parse import urlencode

    return reverse("workspace") + ("?" + urlencode(params) if params else "")


def test_queue_lists_delegated_case_with_its_filing_town(client, kamen, file_case):
    case = file_case("boenen").case

    response = client.get(reverse("workspace"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    page = response.content.decode()
    assert case.reference in page
    assert "Bönen" in page
    assert "delegated" in page  # the filing town is marked on delegated cases


def test_queue_counts_open_cases_per_status(client, kamen, file_case):
    file_case("boenen")
    file_case("kamen")
    waiting = file_case("kamen").case
    case_apply_action(
        case=waiting, action="request_info", actor_kind=Actor.CLERK, actor=kamen, comment="?"
    )

    response = client.get(reverse("workspace"))

    counts = {c["status"]: c["count"] for c in response.context["status_counts"]}
    assert counts["in_review"] == 2
    assert counts["awaiting_applicant"] == 1
    assert response.context["open_total"] == 3


def test_queue_flags_overdue_and_due_soon_in_words(client, kamen, file_case):
    overdue = file_case("kamen").case
    soon = file_case("kamen").case
    later = file_case("kamen").case
    today = datetime.date(2026, 3, 2)  # a Monday
    Case.objects.filter(pk=overdue.pk).update(due_date=datetime.date(2026, 2, 27))
    Case.objects.filter(pk=soon.pk).update(due_date=datetime.date(2026, 3, 4))  # 2 working days
    Case.objects.filter(pk=later.pk).update(due_date=datetime.date(2026, 3, 5))

    with mock.patch("django.utils.timezone.localdate", return_value=today):
        response = client.get(reverse("workspace"), HTTP_ACCEPT_LANGUAGE="en")

    flags = {row["case"].reference: row["flag"] for row in response.context["rows"]}
    assert flags == {overdue.reference: "overdue", soon.reference: "due_soon", later.reference: ""}
    page = response.content.decode()
    assert "Overdue" in page and "Due soon" in page  # text, not only a colour
    # Sorted by due date.
    assert [r["case"].reference for r in response.context["rows"]] == [
        overdue.reference,
        soon.reference,
        later.reference,
    ]


def test_queue_filters_by_filing_town_assignment_and_overdue(client, kamen, file_case):
    from_boenen = file_case("boenen").case
    own = file_case("kamen").case
    case_apply_action(case=own, action="claim", actor_kind=Actor.CLERK, actor=kamen)
    Case.objects.filter(pk=from_boenen.pk).update(due_date=datetime.date(2020, 1, 2))

    def refs(**params):
        return {r["case"].reference for r in client.get(queue_url(**params)).context["rows"]}

    assert refs(municipality="boenen") == {from_boenen.reference}
    assert refs(assigned="me") == {own.reference}
    assert refs(assigned="none") == {from_boenen.reference}
    assert refs(overdue="on") == {from_boenen.reference}
    assert refs(status="awaiting_applicant") == set()
    assert refs(service="gewerbe-anmelden") == {from_boenen.reference, own.reference}
    assert refs(status="no-such-status") == {from_boenen.reference, own.reference}


def test_queue_pages_forward_and_back_without_losing_or_repeating_cases(
    client, kamen, file_case, monkeypatch
):
    monkeypatch.setattr("cases.workspace.views.PAGE_SIZE", 2)
    cases = [file_case("kamen").case for _ in range(5)]
    # One case without a due date (a prepaid fee not yet paid) must come last, not crash.
    Case.objects.filter(pk=cases[0].pk).update(due_date=None)

    first = client.get(reverse("workspace"))
    seen = [r["case"].reference for r in first.context["rows"]]
    response = first
    while response.context["next_url"]:
        response = client.get(response.context["next_url"])
        seen += [r["case"].reference for r in response.context["rows"]]
    back = client.get(response.context["previous_url"])

    assert sorted(seen) == sorted(c.reference for c in cases)
    assert len(seen) == len(set(seen)) == 5
    assert seen[-1] == cases[0].reference
    assert [r["case"].reference for r in back.context["rows"]] == seen[2:4]


def test_queue_page_query_count_does_not_grow_with_rows(
    client, kamen, file_case, django_assert_max_num_queries
):
    for _ in range(3):
        file_case("boenen")
    with django_assert_max_num_queries(8 + rls_queries()):
        few = client.get(reverse("workspace"))
    for _ in range(12):
        file_case("kamen")
    with django_assert_max_num_queries(8 + rls_queries()):
        many = client.get(reverse("workspace"))
    assert len(few.context["rows"]) == 3 and len(many.context["rows"]) == 15


def test_queue_api_pages_with_cursors_and_few_queries(
    api, demo, file_case, django_assert_max_num_queries
):
    cases = [file_case("kamen").case for _ in range(5)]
    Case.objects.filter(pk=cases[0].pk).update(due_date=None)
    api.force_authenticate(get_user_model().objects.get(username="clerk-kamen"))

    with django_assert_max_num_queries(4):
        response = api.get("/api/v1/queue/", {"page_size": 2})
    seen = [row["reference"] for row in response.json()["results"]]
    while response.json()["next"]:
        with django_assert_max_num_queries(4):
            response = api.get(response.json()["next"])
        seen += [row["reference"] for row in response.json()["results"]]

    assert len(seen) == 5 and seen[-1] == cases[0].reference
    previous = api.get(response.json()["previous"]).json()
    assert [row["reference"] for row in previous["results"]] == seen[2:4]
    assert api.get("/api/v1/queue/", {"cursor": "garbage"}).status_code == 400


def test_user_without_clerk_membership_gets_a_polite_403(client, demo):
    client.login(username="district-admin", password="demo")

    response = client.get(reverse("workspace"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    assert "not a clerk" in response.content.decode()


def test_anonymous_user_is_sent_to_the_login_page(client, demo):
    response = client.get(reverse("workspace"))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/workspace/"


def test_case_page_shows_answers_by_step_documents_and_whole_timeline(
    client, kamen, demo, django_assert_max_num_queries
):
    submitted = case_submit(
        municipality=Municipality.objects.get(slug="boenen"),
        service_key="gewerbe-anmelden",
        applicant={"name": "Erika Muster", "email": "erika@example.org"},
        data=dict(DEMO_ANSWERS["gewerbe-anmelden"]),
        files={"erlaubnis": [SimpleUploadedFile("erlaubnis.pdf", PDF, "application/pdf")]},
    )
    case = submitted.case
    case_apply_action(
        case=case, action="note", actor_kind=Actor.CLERK, actor=kamen, comment="Secret note"
    )

    with django_assert_max_num_queries(10):
        response = client.get(reverse("workspace-case", args=[case.reference]))

    assert response.status_code == 200
    titles = [group["title"] for group in response.context["answers"]]
    assert len(titles) == 4 and all(titles)  # the four steps of gewerbe-anmelden, in order
    page = response.content.decode()
    assert "Fahrradreparatur" in page
    assert "Secret note" in page
    internal = [item for item in response.context["timeline"] if item["internal"]]
    assert any(item["event"].comment == "Secret note" for item in internal)
    upload = case.attachments.get(field_name="erlaubnis")
    download = reverse("workspace-case-file", args=[case.reference, upload.pk])
    assert download in page
    file_response = client.get(download)
    assert file_response.status_code == 200
    assert b"".join(file_response.streaming_content) == PDF
    assert "attachment" in file_response["Content-Disposition"]


def test_attachment_of_another_case_is_not_served_through_this_case(client, kamen, file_case):
    mine = file_case("kamen").case
    other_town = file_case("unna").case
    foreign = Attachment.objects.create(
        case=other_town,
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        file="cases/x.pdf",
    )

    response = client.get(reverse("workspace-case-file", args=[mine.reference, foreign.pk]))

    assert response.status_code == 404


def test_clerk_claims_asks_and_approves_through_the_case_page(
    client, kamen, file_case, django_capture_on_commit_callbacks
):
    case = file_case("boenen").case
    url = reverse("workspace-case", args=[case.reference])
    mail.outbox.clear()

    assert client.post(url, {"action": "claim"}).status_code == 302
    case.refresh_from_db()
    assert case.assigned_to == kamen

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "request_info", "comment": "Bitte Erlaubnis hochladen."})
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_APPLICANT
    question = [m for m in mail.outbox if m.to == ["erika@example.org"]]
    assert question and case.tracking_url in question[-1].body
    assert "Bitte Erlaubnis hochladen." in question[-1].body

    case_apply_action(case=case, action="respond", actor_kind=Actor.APPLICANT, comment="Liegt bei.")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "approve", "comment": ""}, follow=True)

    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED
    assert response.status_code == 200
    assert "Done" in response.content.decode() or "Erledigt" in response.content.decode()
    assert case.attachments.filter(kind=Attachment.Kind.DOCUMENT, public=True).exists()


def test_reject_without_reason_shows_the_error_at_the_field(client, kamen, file_case):
    case = file_case("boenen").case

    response = client.post(
        reverse("workspace-case", args=[case.reference]), {"action": "reject", "comment": " "}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#comment-reject"' in page
    assert 'id="comment-reject-error"' in page
    case.refresh_from_db()
    assert case.status == Case.Status.IN_REVIEW


def test_action_the_status_does_not_allow_is_refused_on_the_page_not_a_500(
    client, kamen, file_case
):
    case = file_case("boenen").case
    case_apply_action(case=case, action="reject", actor_kind=Actor.CLERK, actor=kamen, comment="x")

    response = client.post(
        reverse("workspace-case", args=[case.reference]),
        {"action": "approve"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 409
    assert "is not possible while the case is" in response.content.decode()
    assert not CaseEvent.objects.filter(case=case, type="approve").exists()


def test_refusal_message_follows_the_page_language(client, kamen, file_case):
    from django.utils import translation

    case = file_case("boenen").case
    case_apply_action(case=case, action="reject", actor_kind=Actor.CLERK, actor=kamen, comment="x")
    with translation.override("de"):
        german = (
            translation.gettext(
                "The action “%(action)s” is not possible while the case is “%(status)s”."
            )
            .split("%(action)s")[0]
            .rstrip('„“"')
        )

    response = client.post(
        reverse("workspace-case", args=[case.reference]),
        {"action": "approve"},
        HTTP_ACCEPT_LANGUAGE="de",
    )

    assert response.status_code == 409
    assert german in response.content.decode()


def test_unknown_action_on_the_page_is_a_400_not_a_500(client, kamen, file_case):
    case = file_case("boenen").case

    response = client.post(reverse("workspace-case", args=[case.reference]), {"action": "respond"})

    assert response.status_code == 400


def test_queue_cursor_survives_a_round_trip():
    for position in (QueuePosition(datetime.date(2026, 5, 4), 17), QueuePosition(None, 3)):
        assert QueuePosition.decode(position.encode()) == position
    with pytest.raises(ValueError):
        QueuePosition.decode("not-a-cursor")


def test_clerk_of_two_authorities_sees_both_queues(client, demo, file_case):
    user = UserFactory(username="double")
    for slug in ("kamen", "unna"):
        Membership.objects.create(
            user=user, municipality=Municipality.objects.get(slug=slug), role="clerk"
        )
    a = file_case("kamen").case
    b = file_case("unna").case
    client.force_login(user)

    refs = {r["case"].reference for r in client.get(reverse("workspace")).context["rows"]}

    assert refs == {a.reference, b.reference}
