"""The retention purge: personal data of a case goes once its service's retention period
after closing has passed; the anonymous rest stays for statistics (docs/operations.md,
Retention). What each app erases is its purge hook's business (core/purge.py; the cases'
hook in cases/purge.py); this module finds the cases that are due, runs every hook in
batches and records the purge in the audit trail. The tallies (district/models.py) stay."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cases.models import Case
from core.audit import audit_record
from core.models import AuditEntry
from core.purge import HOOKS, UNATTACHED

logger = logging.getLogger(__name__)
BATCH = 500


@dataclass(frozen=True)
class PurgeResult:
    cases: int
    attachments: int  # stored files deleted (uploads and issued documents)


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
    """Purge every case due at `now` (default: now), and the personal data tied to no case
    that is past its own retention period (core/purge.py, `unattached_data`); record what
    was done."""
    now = now or timezone.now()
    unattached_purge_expired(now=now)
    ids = cases_due_for_purge(now=now)
    attachments = 0
    for start in range(0, len(ids), BATCH):
        attachments += purge_batch(ids[start : start + BATCH], now=now)
    if ids:
        audit_record(
            actor=None,
            action=AuditEntry.Action.PURGE,
            object_type="cases.case",
            object_repr=f"{len(ids)} case(s)",
            changes={"cases": len(ids), "attachments": attachments, "before": now.isoformat()},
        )
    logger.info("retention purge: %s case(s), %s attachment(s)", len(ids), attachments)
    return PurgeResult(cases=len(ids), attachments=attachments)


def unattached_purge_expired(*, now: datetime.datetime) -> dict[str, int]:
    """Each registered kind of personal data tied to no case, past its retention at `now`,
    erased in a transaction of its own; an audit entry when anything went."""
    erased = {}
    for name, data in UNATTACHED.items():
        with transaction.atomic():
            erased[name] = data.expire(now)
    if any(erased.values()):
        audit_record(
            actor=None,
            action=AuditEntry.Action.PURGE,
            object_type="core.unattached",
            object_repr=", ".join(f"{n}: {count}" for n, count in erased.items() if count),
            changes={**erased, "at": now.isoformat()},
        )
        logger.info("retention purge of data tied to no case: %s", erased)
    return erased


def purge_batch(ids: list[int], *, now: datetime.datetime) -> int:
    """Every registered purge hook (core/purge.py) on one batch of cases, in one
    transaction; the files go only once the rows are gone for good. Returns the number of
    files deleted. The retention purge and an erasure request (district/privacy.py) both
    erase through it."""
    files: list = []
    with transaction.atomic():
        for hook in HOOKS.values():
            files += hook(ids, now)
        transaction.on_commit(lambda: _delete_files(files))
    return len(files)


def _delete_files(files: list) -> None:
    for stored in files:
        try:
            stored.storage.delete(stored.name)
        except OSError:
            # A file already missing is the goal reached; anything else is logged.
            logger.warning("retention purge: could not delete %s", stored.name, exc_info=True)
