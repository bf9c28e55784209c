"""The API's upload paths and the virus check, against a real clamd (tests/clamd.py): a
submission's files and a citizen's answer. EICAR (inside a real PDF, so the type check
passes and only the virus check can refuse it) → 400 naming the field, nothing stored, an
audit entry with the signature; clamd stopped → 503, nothing stored; back → accepted."""

import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from cases.models import Actor, Attachment, Case, CaseEvent
from cases.services import case_apply_action
from core.models import AuditEntry
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db

SIGNATURE = "Eicar-Test-Signature.UNOFFICIAL"
NAME = "Wohnungsgeberbestätigung Łukasz Yılmaz–Şahin.pdf"
APPLICANT = {"name": "Łukasz Yılmaz–Şahin", "email": "lukasz@example.org"}
DATA = {
    "familienname": "Yılmaz–Şahin",
    "vornamen": "Łukasz",
    "geburtsdatum": "1990-03-15",
    "staatsangehoerigkeit": "deutsch",
    "strasse": "Nordberg",
    "hausnummer": "3",
    "plz": "59192",
    "ort": "Bergkamen",
    "einzugsdatum": "2026-11-01",
    "wohnungsstatus": "alleinig",
    "bisherige_anschrift": "Hauptstraße 5\n44135 Dortmund",
}
FIELD = "wohnungsgeberbestaetigung"


@pytest.fixture
def api(api):
    """English answers (German is the default; the German refusal has its own test)."""
    api.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return api


def clean_pdf() -> bytes:
    return pdf_bytes("Wohnungsgeberbestätigung, Miete 812,50 EUR")


def infected_pdf(eicar: bytes) -> bytes:
    """A real PDF (the type check passes) that carries the EICAR test file."""
    document = clean_pdf()
    return document[: len(document) // 2] + eicar + document[len(document) // 2 :]


def submit(api, content: bytes):
    payload = json.dumps({"service": "wohnsitz-anmelden", "applicant": APPLICANT, "data": DATA})
    return api.post(
        "/api/v1/municipalities/bergkamen/cases/",
        {"payload": payload, FIELD: upload(NAME, content, "application/pdf")},
        format="multipart",
    )


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [Path(d) / f for d, _dirs, files in os.walk(root) for f in files]


def test_eicar_in_a_submission_is_refused_naming_the_field_and_nothing_is_stored(
    api, demo, upload_scanning, eicar
):
    response = submit(api, infected_pdf(eicar))

    assert response.status_code == 400
    assert response.json()["errors"] == {
        f"data.{FIELD}": ["The file was refused by the virus check."]
    }
    assert not Case.objects.exists() and not Attachment.objects.exists()
    assert stored_files() == []
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REFUSE)
    assert entry.changes == {"field": FIELD, "name": NAME, "signature": SIGNATURE}
    assert entry.municipality.slug == "bergkamen"
    assert "EICAR" not in json.dumps(entry.changes).upper().replace("EICAR-TEST-SIGNATURE", "")


def test_the_refusal_is_german_for_a_german_client(api, demo, upload_scanning, eicar):
    api.credentials(HTTP_ACCEPT_LANGUAGE="de")
    response = submit(api, infected_pdf(eicar))
    assert response.status_code == 400
    assert response.json()["errors"][f"data.{FIELD}"] == [
        "Die Datei wurde von der Virenprüfung abgelehnt."
    ]


def test_a_clean_pdf_is_scanned_and_stored(api, demo, upload_scanning):
    content = clean_pdf()
    response = submit(api, content)
    assert response.status_code == 201, response.json()
    attachment = Attachment.objects.get()
    with attachment.file.open("rb") as handle:
        assert handle.read() == content
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REFUSE).exists()


def test_while_clamd_is_down_submissions_answer_503_and_pass_again_after(
    api, demo, clamd_factory, settings
):
    daemon = clamd_factory()
    settings.UPLOAD_SCAN_URL = daemon.unix_url
    daemon.stop()

    response = submit(api, clean_pdf())

    assert response.status_code == 503
    assert response["Retry-After"]
    assert response.json()["errors"] == {
        FIELD: ["The virus check is not available at the moment. Please try again later."]
    }
    assert not Case.objects.exists() and stored_files() == []

    daemon.start()
    assert submit(api, clean_pdf()).status_code == 201
    assert Attachment.objects.count() == 1


@pytest.fixture
def asked(api, demo):
    """A filed case whose clerk asked the applicant for a document (scanning off then)."""
    body = submit(api, clean_pdf()).json()
    case = Case.objects.get(reference=body["reference"])
    clerk = get_user_model().objects.get(username="clerk-bergkamen")
    case_apply_action(
        case=case, action="request_info", actor_kind=Actor.CLERK, actor=clerk, comment="Bitte."
    )
    return case, body["access_token"]


def respond(api, case, token, content: bytes):
    return api.post(
        f"/api/v1/cases/{case.reference}/actions/?access_token={token}",
        {"action": "respond", "comment": "Anbei", "files": upload(NAME, content)},
        format="multipart",
    )


def test_eicar_in_a_citizens_answer_is_refused_and_the_case_does_not_move(
    api, asked, upload_scanning, eicar
):
    case, token = asked
    files_before = stored_files()

    response = respond(api, case, token, infected_pdf(eicar))

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "files.files": ["The file was refused by the virus check."]
    }
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_APPLICANT
    assert case.attachments.count() == 1 and stored_files() == files_before
    assert not case.events.filter(type=CaseEvent.Type.RESPOND).exists()
    assert AuditEntry.objects.get(action=AuditEntry.Action.REFUSE).changes["signature"] == SIGNATURE

    assert respond(api, case, token, clean_pdf()).status_code == 200
    assert case.attachments.count() == 2


def test_while_clamd_is_down_an_answer_is_refused_with_503(api, asked, clamd_factory, settings):
    case, token = asked
    daemon = clamd_factory()
    settings.UPLOAD_SCAN_URL = daemon.tcp_url
    daemon.stop()

    response = respond(api, case, token, clean_pdf())

    assert response.status_code == 503
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_APPLICANT and case.attachments.count() == 1
    daemon.start()
    assert respond(api, case, token, clean_pdf()).status_code == 200
