"""Accessibility feedback is personal data like a request (issue 13): a message names its
sender, so it is deleted after FEEDBACK_RETENTION_DAYS by the daily retention purge, and the
district's privacy officer finds, exports and erases it with the sender's requests — from
the outside: the feedback form, the officer's pages and the management commands."""

import datetime
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from core.models import AuditEntry
from core.purge import unpurged_personal_data
from district.tasks import purge_expired_cases
from legal.models import AccessibilityFeedback
from tests.privacy import privacy_officer

pytestmark = pytest.mark.django_db
EMAIL = "lukasz.yilmaz@example.org"
MESSAGE = "Das Formular „Wohnsitz anmelden“ liest mein Screenreader nicht vor. Łukasz Yılmaz–Şahin"


def send_feedback(town: str, email: str = EMAIL, message: str = MESSAGE) -> AccessibilityFeedback:
    response = Client().post(
        f"/{town}/barrierefreiheit/",
        {"message": message, "email": email, "page": f"/{town}/", "name": "Łukasz Yılmaz–Şahin"},
    )
    assert response.status_code == 302, response.content
    return AccessibilityFeedback.objects.order_by("-pk").first()


@pytest.fixture
def officer(demo):
    client = Client()
    client.force_login(privacy_officer())
    return client


def test_no_personal_field_is_left_without_an_eraser():
    assert unpurged_personal_data() == {}
    from django.core.checks import run_checks

    assert not [m for m in run_checks() if m.id in ("core.E020", "core.E021")]


def test_the_daily_purge_deletes_feedback_past_its_retention_and_keeps_the_rest(demo, settings):
    settings.FEEDBACK_RETENTION_DAYS = 365
    old = send_feedback("boenen")
    recent = send_feedback("kamen", email="minh.khai@example.org")
    AccessibilityFeedback.objects.filter(pk=old.pk).update(
        received_at=timezone.now() - datetime.timedelta(days=366)
    )

    purge_expired_cases.apply()

    assert list(AccessibilityFeedback.objects.values_list("pk", flat=True)) == [recent.pk]
    entry = AuditEntry.objects.get(object_type="core.unattached")
    assert entry.changes["legal.accessibility_feedback"] == 1
    assert EMAIL not in json.dumps(entry.changes) + entry.object_repr


def test_the_officer_finds_exports_and_erases_the_feedback_with_the_requests(officer):
    send_feedback("boenen")
    send_feedback("unna", email=EMAIL.upper())
    neighbour = send_feedback("kamen", email="minh.khai@example.org")

    page = officer.post("/district/privacy/", {"email": EMAIL}).content.decode()
    assert "Nachrichten über das Feedback-Formular zur Barrierefreiheit: 2" in page

    export = officer.post("/district/privacy/export/", {"email": EMAIL})
    with zipfile.ZipFile(io.BytesIO(export.getvalue())) as archive:
        data = json.loads(archive.read("data.json"))
        summary = "".join(
            p.extract_text() for p in PdfReader(io.BytesIO(archive.read("summary.pdf"))).pages
        )
    records = data["other"]["legal.accessibility_feedback"]
    assert sorted(r["municipality"] for r in records) == ["Bönen", "Unna"]
    assert all(r["message"] == MESSAGE for r in records)
    assert "Łukasz Yılmaz–Şahin" in summary and "„Wohnsitz anmelden“" in summary

    report = officer.post("/district/privacy/erase/", {"email": EMAIL}).content.decode()
    assert "Nachrichten über das Feedback-Formular zur Barrierefreiheit: 2" in report
    assert AccessibilityFeedback.objects.count() == 3  # the report erased nothing

    officer.post("/district/privacy/erase/", {"email": EMAIL, "confirm": "erase"})

    assert list(AccessibilityFeedback.objects.values_list("pk", flat=True)) == [neighbour.pk]
    trail = AuditEntry.objects.filter(object_type="privacy.request").order_by("at", "id")
    assert [e.changes.get("other") for e in trail] == [
        {"legal.accessibility_feedback": 2}
    ] * 4  # search, export, report, erasure
    assert all(EMAIL not in json.dumps(e.changes) for e in trail)


def test_the_erase_command_erases_feedback_of_a_person_without_requests(demo):
    send_feedback("boenen")
    out = io.StringIO()

    call_command("privacy_erase", "--email", EMAIL, "--dry-run", stdout=out)
    assert "would erase: Nachrichten über das Feedback-Formular zur Barrierefreiheit: 1" in (
        out.getvalue()
    )
    assert AccessibilityFeedback.objects.count() == 1

    call_command("privacy_erase", "--email", EMAIL, stdout=io.StringIO())
    assert AccessibilityFeedback.objects.count() == 0
