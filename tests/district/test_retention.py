"""The retention purge removes personal data of cases closed longer than their service's
retention period and keeps what the statistics count (fixed dates)."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from cases.models import Attachment, Case, CaseEvent
from core.models import AuditEntry
from core.tenancy import scope_for
from district import statistics
from district.retention import cases_purge_expired
from district.statistics import Period
from district.tasks import purge_expired_cases
from tests.district import at, known_cases
from tests.factories import APPLICANT_NAME, CaseFactory

pytestmark = pytest.mark.django_db
NOW = at("2026-06-01 03:30")


def attach(case: Case) -> Attachment:
    attachment = Attachment(
        case=case,
        field_name="nachweis",
        original_name="nachweis.pdf",
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
    )
    attachment.file.save("nachweis.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    attachment.save()
    return attachment


@pytest.fixture
def data():
    data = known_cases()
    data.bulky.retention_days = 90
    data.bulky.save()
    for dogs in (data.dogs_v1, data.dogs_v2):
        dogs.retention_days = 365
        dogs.save()
    return data


def test_expired_cases_lose_personal_data_and_attachments(data, django_capture_on_commit_callbacks):
    # Closed 2026-01-12; 90 days later is 2026-04-12: expired on 2026-06-01.
    expired = data.cases[0]
    CaseEvent.objects.create(case=expired, type="respond", comment="Meine Telefonnummer ist 0170")
    attachment = attach(expired)
    path = attachment.file.name
    assert default_storage.exists(path)

    with django_capture_on_commit_callbacks(execute=True):
        result = cases_purge_expired(now=NOW)

    expired.refresh_from_db()
    assert expired.applicant_name == ""
    assert expired.applicant_email == ""
    assert expired.data == {}
    assert expired.purged_at == NOW
    assert not Attachment.objects.filter(case=expired).exists()
    assert not default_storage.exists(path)
    assert not CaseEvent.objects.filter(case=expired, comment__contains="0170").exists()
    assert CaseEvent.objects.filter(
        case=expired, type="personal_data_purged", visibility="internal"
    ).exists()
    # What statistics count stays.
    assert (expired.status, expired.fee_cents, expired.service_id) == (
        "approved",
        1500,
        data.bulky.pk,
    )
    assert expired.submitted_at == at("2026-01-10 10:00")
    assert expired.closed_at == at("2026-01-12 10:00")
    assert result.attachments == 1
    entry = AuditEntry.objects.get(action="purge")
    assert entry.changes["cases"] == result.cases
    assert entry.actor_label == "system"


def test_cases_within_retention_open_cases_and_other_periods_are_kept(data):
    recent = CaseFactory(
        municipality=data.town_a,
        service=data.bulky,
        submitted_at=at("2026-05-01 10:00"),
        closed_at=at("2026-05-02 10:00"),
        status="approved",
    )

    result = cases_purge_expired(now=NOW)

    purged = set(Case.objects.filter(purged_at__isnull=False).values_list("pk", flat=True))
    # Bulky waste (90 days) closed before 2026-03-03: cases 1, 2, 3, 9 and the one elsewhere.
    expected = {data.cases[i].pk for i in (0, 1, 2, 8, 9)}
    assert purged == expected
    assert result.cases == 5
    for case in Case.objects.exclude(pk__in=expected):
        assert case.applicant_name == APPLICANT_NAME
    recent.refresh_from_db()
    assert recent.data  # one month closed: kept
    # The dog tax keeps a year: closed 2026-01-06 (approved) and 2026-03-02 (withdrawn).
    assert Case.objects.get(pk=data.cases[3].pk).purged_at is None
    assert Case.objects.get(pk=data.cases[6].pk).purged_at is None


def test_statistics_are_the_same_after_the_purge(data):
    scope = statistics.dashboard_scope_for(scope_for(data.district_admin))
    before = (
        statistics.cases_per_month(scope=scope, period=Period()),
        statistics.processing_times(scope=scope, period=Period()),
        statistics.delegation_flows(scope=scope, period=Period()),
    )

    cases_purge_expired(now=NOW)

    after = (
        statistics.cases_per_month(scope=scope, period=Period()),
        statistics.processing_times(scope=scope, period=Period()),
        statistics.delegation_flows(scope=scope, period=Period()),
    )
    assert after == before


def test_a_second_run_purges_nothing_new(data):
    first = cases_purge_expired(now=NOW)
    second = cases_purge_expired(now=NOW + datetime.timedelta(hours=1))

    assert first.cases == 5
    assert second.cases == 0
    assert AuditEntry.objects.filter(action="purge").count() == 1
    assert CaseEvent.objects.filter(type="personal_data_purged").count() == 5


def test_the_daily_task_runs_the_purge_and_is_scheduled(data, beat_schedule):
    purged = purge_expired_cases.apply().get()

    assert purged >= 5  # every case of the data set closed before 2026 plus retention
    task = beat_schedule.get(task="district.purge_expired_cases")
    assert task.enabled and task.crontab.hour == "3"


def test_audit_entries_about_purged_rows_keep_who_and_when_but_not_the_values(
    data, django_capture_on_commit_callbacks
):
    from core.audit import audit_record

    expired, kept = data.cases[0], data.cases[3]  # bulky waste expired; dog tax kept
    about_expired = audit_record(
        actor=None,
        action=AuditEntry.Action.CHANGE,
        obj=expired,
        changes={"fields": {"applicant_name": {"from": APPLICANT_NAME, "to": "—"}}},
    )
    about_kept = audit_record(
        actor=None,
        action=AuditEntry.Action.CHANGE,
        obj=kept,
        changes={"fields": {"applicant_name": {"from": APPLICANT_NAME, "to": "—"}}},
    )

    when = about_expired.at

    with django_capture_on_commit_callbacks(execute=True):
        cases_purge_expired(now=NOW)

    about_expired.refresh_from_db()
    about_kept.refresh_from_db()
    assert about_expired.changes == {"redacted": True}
    assert (about_expired.action, about_expired.object_id, about_expired.at) == (
        "change",
        str(expired.pk),
        when,
    )
    assert APPLICANT_NAME not in about_expired.object_repr
    assert about_kept.changes["fields"]["applicant_name"]["from"] == APPLICANT_NAME
