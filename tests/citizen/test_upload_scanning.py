"""The citizen's pages and the virus check, against a real clamd (tests/clamd.py): a form
step's upload (the draft), the final submission, and an answer on the tracking page. An
infected file is refused at its field and never stored; while clamd is down the page says
"try again later" and stores nothing; once it is back the same upload passes."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from cases.models import Actor, Attachment, Case
from cases.services import case_apply_action
from core.models import AuditEntry
from tests.cases.test_upload_scanning import stored_files
from tests.citizen.test_views import BASE, PDF, STEP_ANSWERS, draft_files, step_url, upload

FIELD = "wohnungsgeberbestaetigung"
NAME = "Bestätigung Nguyễn Thị Minh Khai.pdf"
REFUSED = "Die Datei wurde von der Virenprüfung abgelehnt."
LATER = "Die Virenprüfung ist gerade nicht erreichbar. Bitte versuchen Sie es später noch einmal."


@pytest.fixture
def citizen(db, demo) -> Client:
    return Client()


def infected_pdf(eicar: bytes) -> bytes:
    return PDF[: len(PDF) // 2] + eicar + PDF[len(PDF) // 2 :]


def answer_steps(client: Client) -> None:
    for number, answers in STEP_ANSWERS.items():
        assert client.post(step_url(number), answers).status_code == 302


def post_upload(client: Client, content: bytes):
    return client.post(step_url(4), {FIELD: upload(NAME, content)})


def contact(client: Client) -> None:
    response = client.post(
        step_url(5),
        {"applicant_name": "Nguyễn Thị Minh Khai", "applicant_email": "khai@example.org"},
    )
    assert response["Location"] == f"{BASE}check/"


def test_an_infected_upload_in_a_form_step_is_refused_at_its_field(citizen, upload_scanning, eicar):
    answer_steps(citizen)

    response = post_upload(citizen, infected_pdf(eicar))

    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="#field-{FIELD}"' in page and REFUSED in page
    assert draft_files() == []
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REFUSE)
    assert entry.changes["field"] == FIELD and entry.changes["name"] == NAME
    assert entry.changes["signature"] == "Eicar-Test-Signature.UNOFFICIAL"

    assert post_upload(citizen, PDF).status_code == 302  # a clean PDF passes
    assert len(draft_files()) == 1


def test_while_clamd_is_down_a_form_step_says_try_again_and_keeps_nothing(
    citizen, clamd_factory, settings
):
    daemon = clamd_factory()
    settings.UPLOAD_SCAN_URL = daemon.unix_url
    answer_steps(citizen)
    daemon.stop()

    response = post_upload(citizen, PDF)

    assert response.status_code == 200
    assert LATER in response.content.decode()
    assert draft_files() == []
    daemon.start()
    assert post_upload(citizen, PDF).status_code == 302
    assert len(draft_files()) == 1


def test_the_final_submission_is_refused_while_clamd_is_down_and_succeeds_after(
    citizen, clamd_factory, settings
):
    daemon = clamd_factory()
    settings.UPLOAD_SCAN_URL = daemon.tcp_url
    answer_steps(citizen)
    assert post_upload(citizen, PDF).status_code == 302
    contact(citizen)
    daemon.stop()

    response = citizen.post(f"{BASE}check/", follow=True)

    assert response.redirect_chain[0][0] == step_url(4)
    assert LATER in response.content.decode()
    assert not Case.objects.exists() and not Attachment.objects.exists()
    daemon.start()
    response = citizen.post(f"{BASE}check/")
    assert response.status_code == 302 and "/done/" in response["Location"]
    assert Case.objects.get().attachments.get().size == len(PDF)


@pytest.fixture
def asked(citizen, upload_scanning) -> Case:
    answer_steps(citizen)
    assert post_upload(citizen, PDF).status_code == 302
    contact(citizen)
    reference = citizen.post(f"{BASE}check/")["Location"].rstrip("/").rsplit("/", 1)[-1]
    case = Case.objects.get(reference=reference)
    clerk = get_user_model().objects.get(username="clerk-bergkamen")
    case_apply_action(
        case=case, action="request_info", actor_kind=Actor.CLERK, actor=clerk, comment="Bitte."
    )
    return case


def respond(client: Client, case: Case, content: bytes):
    return client.post(
        f"/track/{case.reference}/",
        {
            "access_token": case.access_token,
            "action": "respond",
            "comment": "Anbei die Bestätigung.",
            "files": [upload(NAME, content)],
        },
    )


def test_an_infected_answer_on_the_tracking_page_is_refused(citizen, asked, eicar):
    files_before = stored_files()

    response = respond(citizen, asked, infected_pdf(eicar))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="#field-files"' in page and REFUSED in page
    asked.refresh_from_db()
    assert asked.status == Case.Status.AWAITING_APPLICANT
    assert asked.attachments.count() == 1 and stored_files() == files_before
    assert respond(citizen, asked, PDF).status_code == 302
    assert asked.attachments.count() == 2


def test_while_clamd_is_down_an_answer_is_refused_with_a_clear_message(
    citizen, asked, clamd_factory, settings
):
    daemon = clamd_factory()
    settings.UPLOAD_SCAN_URL = daemon.unix_url
    daemon.stop()

    response = respond(citizen, asked, PDF)

    assert LATER in response.content.decode()
    asked.refresh_from_db()
    assert asked.status == Case.Status.AWAITING_APPLICANT and asked.attachments.count() == 1
    daemon.start()
    assert respond(citizen, asked, PDF).status_code == 302


def test_a_draft_file_a_new_signature_matches_is_refused_at_the_end_and_deleted(
    citizen, clamd_factory, settings
):
    """The final submission checks the draft's files again: a signature clamd learnt after
    the step refuses the file there, deletes it from the draft and files nothing."""
    daemon = clamd_factory()
    settings.UPLOAD_SCAN_URL = daemon.unix_url
    answer_steps(citizen)
    assert post_upload(citizen, PDF).status_code == 302
    contact(citizen)
    daemon.add_signature("Kreisportal.Test.NewThreat", PDF)

    response = citizen.post(f"{BASE}check/", follow=True)

    assert response.redirect_chain[0][0] == step_url(4)
    assert REFUSED in response.content.decode()
    assert draft_files() == []
    assert not Case.objects.exists() and not Attachment.objects.exists()
    assert AuditEntry.objects.get(action=AuditEntry.Action.REFUSE).changes["signature"] == (
        "Kreisportal.Test.NewThreat.UNOFFICIAL"
    )
