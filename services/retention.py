"""The retention purge: personal data of a case goes once its service's retention period
after closing has passed; the anonymous rest stays for statistics (DESIGN.md, Periodic jobs).

Removed: applicant name and e-mail, the answers, every attachment (file and row), free-text
comments of the timeline (they may quote the applicant), recipients of sent e-mails and
comments carried in step payloads. Kept: reference, service version, filing town,
processing authority, status, fee, dates — what /district/ counts."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from core.audit import audit_record
from core.models import AuditEntry
from services.models import Attachment, Case, CaseEvent, CaseStep, OutboundEmail

logger = logging.getLogger(__name__)
BATCH = 500


@dataclass(frozen=True)
class PurgeResult:
    cases: int
    attachments: int


def cases_due_for_purge(*, now: datetime.datetime) -> list[int]:
    """Ids of closed, not yet purged cases whose retention period has passed at `now`."""
    ids: list[int] = []
    # One query per distinct retention period keeps the date arithmetic out of SQL dialects.
    periods = (
        Case.objects.filter(closed_at__isnull=False, purged_at__isnull=True)
        .values_list("service__retention_days", flat=True)
        .distinct()
    )
    for days in sorted(set(periods)):
        ids += Case.objects.filter(
            closed_at__isnull=False,
            purged_at__isnull=True,
            service__retention_days=days,
            closed_at__lt=now - datetime.timedelta(days=days),
        ).values_list("pk", flat=True)
    return sorted(ids)


def cases_purge_expired(*, now: datetime.datetime | None = None) -> PurgeResult:
    """Purge every case due at `now` (default: now) and record what was done."""
    now = now or timezone.now()
    ids = cases_due_for_purge(now=now)
    attachments = 0
    for start in range(0, len(ids), BATCH):
        attachments += _purge_batch(ids[start : start + BATCH], now=now)
    if ids:
        audit_record(
            actor=None,
            action=AuditEntry.Action.PURGE,
            object_type="services.case",
            object_repr=f"{len(ids)} case(s)",
            changes={"cases": len(ids), "attachments": attachments, "before": now.isoformat()},
        )
    logger.info("retention purge: %s case(s), %s attachment(s)", len(ids), attachments)
    return PurgeResult(cases=len(ids), attachments=attachments)


def _purge_batch(ids: list[int], *, now: datetime.datetime) -> int:
    files = []
    with transaction.atomic():
        # Re-check under the lock so a concurrent run does not purge twice.
        cases = list(Case.objects.select_for_update().filter(pk__in=ids, purged_at__isnull=True))
        case_ids = [c.pk for c in cases]
        attachments = list(Attachment.objects.filter(case_id__in=case_ids))
        files = [a.file for a in attachments if a.file]
        Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
        Case.objects.filter(pk__in=case_ids).update(
            applicant_name="", applicant_email="", data={}, purged_at=now, updated_at=now
        )
        CaseEvent.objects.filter(case_id__in=case_ids).exclude(comment="").update(comment="")
        OutboundEmail.objects.filter(step__case_id__in=case_ids).update(to=[])
        for step in CaseStep.objects.filter(case_id__in=case_ids).only("pk", "payload"):
            if "comment" in step.payload:
                CaseStep.objects.filter(pk=step.pk).update(
                    payload={k: v for k, v in step.payload.items() if k != "comment"}
                )
        CaseEvent.objects.bulk_create(
            CaseEvent(
                case_id=case_id,
                at=now,
                actor_label="system",
                type="personal_data_purged",
                comment="",
                visibility=CaseEvent.Visibility.INTERNAL,
            )
            for case_id in case_ids
        )
        # Files go only once the rows are gone for good.
        transaction.on_commit(lambda: _delete_files(files))
    return len(attachments)


def _delete_files(files: list) -> None:
    for stored in files:
        try:
            stored.storage.delete(stored.name)
        except OSError:
            # A file already missing is the goal reached; anything else is logged.
            logger.warning("retention purge: could not delete %s", stored.name, exc_info=True)


def drafts_purge_abandoned(*, now: datetime.datetime | None = None) -> int:
    """Delete uploads of form drafts nobody finished (`drafts/<draft id>/`, see
    services/views.py) once they are older than a session can live: they hold personal
    documents that no case will ever own. Returns how many draft folders went."""
    from django.conf import settings
    from django.core.files.storage import default_storage

    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    try:
        folders, _files = default_storage.listdir("drafts")
    except FileNotFoundError:
        return 0
    removed = 0
    for folder in folders:
        _dirs, names = default_storage.listdir(f"drafts/{folder}")
        paths = [f"drafts/{folder}/{name}" for name in names]
        if all(default_storage.get_modified_time(path) < cutoff for path in paths):
            for path in paths:
                default_storage.delete(path)
            removed += 1
    if removed:
        logger.info("retention purge: %s abandoned draft folder(s)", removed)
    return removed
