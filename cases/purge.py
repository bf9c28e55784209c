"""What the retention purge and an erasure erase of a case (core/purge.py): the applicant's
name and e-mail, the BundID pseudonym and time of sign-in (the level stays: it names no
one), the answers, every attachment (file and row: uploads and issued documents),
free-text comments of the timeline (they may quote the applicant), recipients of sent
e-mails, step payloads (comments, messages) and step errors (a refusing mail server quotes
the address), and the values audit entries quote about the case and its steps. Kept:
reference, service version, filing town, processing authority, status, fee, dates — what
/district/ counts."""

from __future__ import annotations

import datetime

from django.db.models.fields.files import FieldFile

from cases.models import Actor, Attachment, Case, CaseEvent, CaseStep, OutboundEmail
from core.audit import audit_redact
from core.models import AuditEntry
from core.purge import purge_hook

#: What a step's payload keeps: the workflow's own words, which a retried step reads.
KEPT_STEP_KEYS = ("trigger", "action")


@purge_hook("cases", erases=[Case, CaseEvent, Attachment, CaseStep, OutboundEmail, AuditEntry])
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
        applicant_name="",
        applicant_email="",
        applicant_pseudonym="",
        identified_at=None,
        data={},
        purged_at=now,
        updated_at=now,
    )
    CaseEvent.objects.filter(case_id__in=locked).exclude(comment="").update(comment="", message={})
    OutboundEmail.objects.filter(step__case_id__in=locked).update(to=[])
    steps = list(CaseStep.objects.filter(case_id__in=locked).only("pk", "payload"))
    for step in steps:
        kept = {key: step.payload[key] for key in KEPT_STEP_KEYS if key in step.payload}
        CaseStep.objects.filter(pk=step.pk).update(payload=kept, last_error="")
    audit_redact(CaseStep, [step.pk for step in steps])
    audit_redact(Case, locked)
    audit_redact(Attachment, [a.pk for a in attachments])
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
