"""Rescanning stored files after a signature update, and quarantining the hits.

Uploads are scanned before they are stored (catalog/forms/uploads.py); a signature that
clamd learns later can still match a file the portal already keeps. `attachments_rescan`
sends every stored attachment of a case (citizens' uploads and the documents the portal
issued) that is not yet quarantined to the virus check again; a hit quarantines the file:
it stays on disk for inspection but is never served again (`Attachment.objects.servable()`),
the clerks see a warning on the case, the timeline gets an internal entry and the audit
trail an entry with the signature. Run by `manage.py rescan_uploads` and the daily
`cases.rescan_uploads` task (docs/operations.md, Malware scanning)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import Actor, Attachment, CaseEvent
from core.audit import audit_record
from core.models import AuditEntry
from core.scanning import ScanSizeExceeded, ScanStatus, scan

logger = logging.getLogger(__name__)


class ScanningOff(Exception):
    """UPLOAD_SCAN_URL is empty: there is nothing to rescan with."""


@dataclass
class RescanReport:
    scanned: int = 0
    missing: int = 0
    too_large: int = 0
    quarantined: list[Attachment] = field(default_factory=list)


def attachments_rescan(*, batch_size: int = 200) -> RescanReport:
    """Scan every stored, not yet quarantined attachment again. Raises ScannerUnavailable
    when the virus check gives no verdict (the run stops; the next one starts over) and
    ScanningOff when no scanner is configured."""
    report = RescanReport()
    pending = Attachment.objects.filter(quarantined_at__isnull=True).order_by("pk")
    for attachment in pending.iterator(chunk_size=batch_size):
        try:
            with attachment.file.open("rb") as handle:
                result = scan(handle, name=attachment.original_name)
        except (FileNotFoundError, ValueError):
            # Erased by the retention purge (or never written): nothing left to serve.
            report.missing += 1
            continue
        except ScanSizeExceeded:
            # Larger than clamd takes: it was refused at upload, so it was not uploaded then
            # (a limit lowered since, or a generated document); counted, not a stop.
            logger.warning("rescan: stored file %s is larger than the scanner takes", attachment.pk)
            report.too_large += 1
            continue
        if result.status is ScanStatus.NOT_SCANNED:
            raise ScanningOff()
        report.scanned += 1
        if result.infected:
            attachment_quarantine(attachment, signature=result.signature)
            report.quarantined.append(attachment)
    logger.info(
        "rescan of stored files: %s scanned, %s quarantined, %s missing, %s too large",
        report.scanned,
        len(report.quarantined),
        report.missing,
        report.too_large,
    )
    return report


def attachment_quarantine(attachment: Attachment, *, signature: str) -> bool:
    """Quarantine one attachment: never served again, an internal timeline entry on its
    case and an audit entry. False when it already was."""
    with transaction.atomic():
        now = timezone.now()
        changed = Attachment.objects.filter(pk=attachment.pk, quarantined_at__isnull=True).update(
            quarantined_at=now, quarantine_signature=signature[:200]
        )
        if not changed:
            return False
        attachment.quarantined_at, attachment.quarantine_signature = now, signature[:200]
        case = attachment.case
        with translation.override("de"):
            comment = _(
                "The virus check found %(signature)s in „%(name)s“; the file is withheld."
            ) % {
                "signature": signature,
                "name": attachment.original_name,
            }
        CaseEvent.objects.create(
            case=case,
            type=CaseEvent.Type.FILE_QUARANTINED,
            actor_label=Actor.SYSTEM,
            comment=comment,
            visibility=CaseEvent.Visibility.INTERNAL,
        )
        audit_record(
            actor=None,
            action=AuditEntry.Action.QUARANTINE,
            obj=attachment,
            municipality_id=case.processing_authority_id,
            changes={
                "case": case.reference,
                "field": attachment.field_name,
                "signature": signature,
            },
        )
    logger.warning(
        "virus check: stored file %s of case %s quarantined (%s)",
        attachment.pk,
        case.reference,
        signature,
    )
    return True
