"""Stored files and a later signature update (docs/operations.md, Malware scanning):
`manage.py rescan_uploads` against a real clamd that learns a signature for a file the
portal accepted earlier quarantines that file — never served again, a warning for the
clerks, an internal timeline entry, an audit entry — and leaves every other file alone."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from cases.models import Attachment, Case, CaseEvent
from cases.tasks import rescan_uploads
from core.models import AuditEntry
from tests.cases.test_upload_scanning import clean_pdf, submit

pytestmark = pytest.mark.django_db

THREAT = "Kreisportal.Test.NewThreat"
FOUND = f"{THREAT}.UNOFFICIAL"


@pytest.fixture
def daemon(clamd_factory, settings):
    """A clamd of this test's own (it learns a signature), scanning every upload."""
    started = clamd_factory()
    settings.UPLOAD_SCAN_URL = started.tcp_url
    settings.UPLOAD_SCAN_TIMEOUT = 10.0
    settings.UPLOAD_SCAN_MAX_BYTES = started.stream_max_bytes
    return started


@pytest.fixture
def two_cases(api, demo, daemon) -> tuple[Case, Case, bytes]:
    """Two filed cases; the first one's upload is what the new signature will match."""
    first_pdf = clean_pdf()
    first = submit(api, first_pdf).json()
    second = submit(api, clean_pdf() + b"\n% another scan\n").json()
    assert Attachment.objects.count() == 2
    case = Case.objects.get(reference=first["reference"])
    other = Case.objects.get(reference=second["reference"])
    return case, other, first_pdf


def rescan() -> str:
    out = io.StringIO()
    call_command("rescan_uploads", stdout=out)
    return out.getvalue()


def test_a_new_signature_quarantines_the_stored_file_and_the_clerk_sees_it(
    daemon, two_cases, settings
):
    case, other, content = two_cases
    assert "2 file(s) scanned, 0 quarantined" in rescan()  # nothing matches yet
    daemon.add_signature(THREAT, content)

    output = rescan()

    assert "2 file(s) scanned, 1 quarantined" in output
    assert case.reference in output and FOUND in output
    attachment = case.attachments.get()
    assert attachment.quarantined_at is not None and attachment.quarantine_signature == FOUND
    assert other.attachments.get().quarantined_at is None
    event = case.events.get(type=CaseEvent.Type.FILE_QUARANTINED)
    assert event.visibility == CaseEvent.Visibility.INTERNAL
    assert FOUND in event.comment and attachment.original_name in event.comment
    audit = AuditEntry.objects.get(action=AuditEntry.Action.QUARANTINE)
    assert audit.changes == {
        "case": case.reference,
        "field": "wohnungsgeberbestaetigung",
        "signature": FOUND,
    }
    assert audit.municipality_id == case.processing_authority_id

    # The clerk: a warning on the case, the timeline entry, and no download.
    clerk = Client()
    clerk.force_login(get_user_model().objects.get(username="clerk-bergkamen"))
    page = clerk.get(f"/workspace/cases/{case.reference}/").content.decode()
    assert 'id="quarantine-warning"' in page
    assert "Die Virenprüfung hat in einer gespeicherten Datei dieses Antrags" in page
    assert FOUND in page
    assert "Datei von der Virenprüfung in Quarantäne genommen" in page  # the timeline entry
    assert f"/workspace/cases/{case.reference}/files/{attachment.pk}/" not in page
    assert clerk.get(f"/workspace/cases/{case.reference}/files/{attachment.pk}/").status_code == 404
    other_file = other.attachments.get()
    assert (
        clerk.get(f"/workspace/cases/{other.reference}/files/{other_file.pk}/").status_code == 200
    )
    assert (
        'id="quarantine-warning"'
        not in clerk.get(f"/workspace/cases/{other.reference}/").content.decode()
    )

    # The applicant: the file is listed as withheld, and not served.
    citizen = Client()
    token = {"access_token": case.access_token}
    track = citizen.get(f"/track/{case.reference}/", token, follow=True).content.decode()
    assert "zurückgehalten" in track
    assert FOUND not in track  # internal: the timeline entry is the clerks'
    assert citizen.get(f"/track/{case.reference}/files/{attachment.pk}/", token).status_code == 404

    # Running again changes nothing: the quarantined file is not scanned again.
    assert "1 file(s) scanned, 0 quarantined" in rescan()
    assert case.events.filter(type=CaseEvent.Type.FILE_QUARANTINED).count() == 1


def test_the_api_marks_a_quarantined_file(api, daemon, two_cases):
    case, _other, content = two_cases
    daemon.add_signature(THREAT, content)
    rescan()
    response = api.get(f"/api/v1/cases/{case.reference}/?access_token={case.access_token}")
    assert [a["quarantined"] for a in response.json()["attachments"]] == [True]


def test_the_rescan_refuses_to_run_without_a_scanner(settings, daemon, two_cases):
    settings.UPLOAD_SCAN_URL = ""
    with pytest.raises(CommandError, match="UPLOAD_SCAN_URL is empty"):
        rescan()
    assert rescan_uploads() == 0  # the periodic task has nothing to do then


def test_the_rescan_stops_when_clamd_is_down_and_quarantines_nothing(daemon, two_cases):
    case, _other, content = two_cases
    daemon.add_signature(THREAT, content)
    daemon.stop()
    with pytest.raises(CommandError, match="did not answer"):
        rescan()
    assert not Attachment.objects.filter(quarantined_at__isnull=False).exists()
    daemon.start()
    assert rescan_uploads() == 1  # the periodic task: how many it quarantined


def test_the_rescan_runs_daily_after_the_signature_updates(beat_schedule):
    task = beat_schedule.get(task="cases.rescan_uploads")
    assert task.enabled and (task.crontab.hour, task.crontab.minute) == ("4", "15")
