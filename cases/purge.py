"""What the retention purge erases of a case (core/purge.py): the applicant's name and
e-mail, the answers, every attachment (file and row), free-text comments of the timeline
(they may quote the applicant), recipients of sent e-mails and comments carried in step
payloads. Kept: reference, service version, filing town, processing authority, status, fee,
dates — what /district/ counts."""

from __future__ import annotations

import datetime

from django.db.models.fields.files import FieldFile

from cases.models import Actor, Attachment, Case, CaseEvent, CaseStep, OutboundEmail
from core.purge import purge_hook


@purge_hook("cases")
def purge_cases(case_ids: list[int], now: datetime.datetime) -> list[FieldFile]:
    # Re-check under the lock so a concurrent run does not purge twice.
    locked = list(
        Case.objects.select_for_update()
        .filter(pk__in=case_ids, purged_at__isnull=True)
        .values_list("pk", flat=True)
    )
    attachments = list(Attachment.objects.filter(case_id__in=locked))
    files = [a.file for a in attachments if a.file]
    Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
    Case.objects.filter(pk__in=locked).update(
        applicant_name="", applicant_email="", data={}, purged_at=now, updated_at=now
    )
    CaseEvent.objects.filter(case_id__in=locked).exclude(comment="").update(comment="")
    OutboundEmail.objects.filter(step__case_id__in=locked).update(to=[])
    for step in CaseStep.objects.filter(case_id__in=locked).only("pk", "payload"):
        if "comment" in step.payload:
            CaseStep.objects.filter(pk=step.pk).update(
                payload={k: v for k, v in step.payload.items() if k != "comment"}
            )
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case_id=case_id,
            at=now,
            actor_label=Actor.SYSTEM,
            type=CaseEvent.Type.PERSONAL_DATA_PURGED,
            comment="",
            visibility=CaseEvent.Visibility.INTERNAL,
        )
        for case_id in locked
    )
    return files
