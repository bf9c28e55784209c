"""The automatic process steps (the vocabulary of catalog/vocabulary.py, plus the payment
reminder the workflow starts). Each is idempotent: running it again after a crash sends
nothing twice and attaches nothing twice."""

import json

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_noop

from cases import documents
from cases.models import Actor, Attachment, Case, CaseEvent, CaseStep
from cases.notifications import send_step_email
from cases.services import attachment_add_generated, case_record_event
from cases.steps import register, step_run
from cases.workflow import Trigger
from catalog.forms.conditions import shown_fields
from catalog.forms.uploads import sniff_content_type
from core import notes
from core.formats import money
from municipalities.selectors import clerk_emails


def _context(case: Case, step: CaseStep) -> dict:
    return {
        "case": case,
        "service_name": case.service.display_name,
        "tracking_url": case.tracking_url,
        "case_url": f"{settings.PORTAL_BASE_URL}/workspace/cases/{case.reference}/",
        "comment": step.payload.get("comment", ""),
        "action": step.payload.get("action", ""),
        "trigger": step.payload.get("trigger", ""),
        "fee_euros": f"{case.fee_cents / 100:.2f}",
    }


def _clerk_emails(case: Case) -> list[str]:
    return clerk_emails(case.processing_authority_id)


@register("send_receipt")
def send_receipt(step: CaseStep) -> None:
    case = step.case
    with translation.override(case.language):
        pdf = documents.receipt_pdf(case, language=case.language)
        name = documents.filename("receipt", case, case.language)
        send_step_email(
            step=step,
            purpose="receipt",
            to=[case.applicant_email],
            template="receipt",
            context=_context(case, step),
            language=case.language,
            attachments=[(name, pdf, "application/pdf")],
        )


@register("notify_authority")
def notify_authority(step: CaseStep) -> None:
    case = step.case
    if step.payload.get("trigger") == Trigger.APPLICANT_RESPONDED and case.assigned_to_id:
        assignee = case.assigned_to
        to = [assignee.email] if assignee.is_active and assignee.email else _clerk_emails(case)
    else:
        to = _clerk_emails(case)
    send_step_email(
        step=step,
        purpose="authority",
        to=to or ([case.processing_authority.email] if case.processing_authority.email else []),
        template="notify_authority",
        context=_context(case, step),
        language="de",
    )


@register("check_completeness")
def check_completeness(step: CaseStep) -> None:
    """Machine checks: required documents present and their stored bytes readable."""
    case = step.case
    attachments = list(case.attachments.filter(kind=Attachment.Kind.UPLOAD))
    missing: dict[str, list[str]] = {code: [] for code, _name in settings.LANGUAGES}
    unreadable: list[str] = []
    # Only the questions that applied: a file a condition hid was never asked for.
    for field in shown_fields(case.service.form, case.data):
        if not field.kind.is_file:
            continue
        mine = [a for a in attachments if a.field_name == field.name]
        if field.required and not mine:
            for code in missing:
                with translation.override(code):
                    missing[code].append(field.label)
        for attachment in mine:
            try:
                with attachment.file.open("rb") as handle:
                    ok = sniff_content_type(handle) == attachment.content_type
            except OSError:
                ok = False
            if not ok:
                unreadable.append(attachment.original_name)
    # A note, not a text: the German clerk reads it in German, the English one in English.
    if unreadable:
        comment = notes.note(
            gettext_noop(
                "Completeness check found problems: missing %(missing)s; unreadable %(files)s."
            ),
            missing=notes.in_languages({k: ", ".join(v) or "–" for k, v in missing.items()}),
            files=", ".join(unreadable),
        )
    elif any(missing.values()):
        comment = notes.note(
            gettext_noop("Completeness check found missing documents: %(missing)s."),
            missing=notes.in_languages({k: ", ".join(v) for k, v in missing.items()}),
        )
    else:
        comment = notes.note(
            gettext_noop("Completeness check: all required documents present and readable.")
        )
    case_record_event(
        case=case, type=CaseEvent.Type.CHECK_COMPLETENESS, comment=comment, internal=True
    )


@register("notify_applicant")
def notify_applicant(step: CaseStep) -> None:
    case = step.case
    attachments = _decision_attachment(step)
    send_step_email(
        step=step,
        purpose="applicant",
        to=[case.applicant_email],
        template=f"notify_{step.payload.get('trigger', 'approved')}",
        context={**_context(case, step), "has_document": bool(attachments)},
        language=case.language,
        attachments=attachments,
    )


class DocumentNotReady(Exception):
    """The decision PDF is still being made elsewhere; the step engine retries later."""


def _decision_attachment(step: CaseStep) -> list[tuple[str, bytes, str]]:
    """The decision PDF for a decision e-mail. Workers run a case's steps in any order, so
    when this decision's `issue_document` step has not run yet, run it here (it is
    idempotent) instead of sending an e-mail without the document."""
    if step.payload.get("trigger") not in (Trigger.APPROVED, Trigger.REJECTED):
        return []
    case = step.case
    sibling = CaseStep.objects.filter(
        case=case, key=step.key.replace(step.name, "issue_document", 1)
    ).first()
    if sibling is not None and sibling.status == CaseStep.Status.PENDING:
        if step_run(sibling.pk) not in (CaseStep.Status.DONE, CaseStep.Status.FAILED):
            raise DocumentNotReady(sibling.key)
    decision = (
        case.attachments.servable().filter(kind=Attachment.Kind.DOCUMENT).order_by("-id").first()
    )
    if decision is None:
        return []
    with decision.file.open("rb") as handle:
        return [(decision.original_name, handle.read(), "application/pdf")]


@register("issue_document")
def issue_document(step: CaseStep) -> None:
    case = step.case
    with translation.override(case.language):
        content = documents.bescheid_pdf(
            case, step.payload.get("comment", ""), language=case.language
        )
        attachment_add_generated(
            case=case,
            field_name="decision",
            filename=documents.filename("bescheid", case, case.language),
            content=content,
            kind=Attachment.Kind.DOCUMENT,
        )


@register("forward_to_agency")
def forward_to_agency(step: CaseStep) -> None:
    case = step.case
    address = case.service.agency_email
    if not address:
        case_record_event(
            case=case,
            type=CaseEvent.Type.FORWARD_TO_AGENCY,
            comment="No agency address configured for this service; nothing forwarded.",
        )
        return
    payload = {
        "reference": case.reference,
        "service": case.service.key,
        "service_version": case.service.version,
        "municipality": case.municipality.slug,
        "processing_authority": case.processing_authority.slug,
        "status": case.status,
        "applicant": {"name": case.applicant_name, "email": case.applicant_email},
        "data": case.data,
    }
    with translation.override("de"):
        pdf = documents.receipt_pdf(case, language="de")
    send_step_email(
        step=step,
        purpose="agency",
        to=[address],
        template="forward_to_agency",
        context=_context(case, step),
        language="de",
        attachments=[
            (
                f"{case.reference}.json",
                json.dumps(payload, ensure_ascii=False, indent=2).encode(),
                "application/json",
            ),
            (documents.filename("receipt", case, "de"), pdf, "application/pdf"),
        ],
    )


@register("request_payment")
def request_payment(step: CaseStep) -> None:
    case = step.case
    send_step_email(
        step=step,
        purpose="payment",
        to=[case.applicant_email],
        template="request_payment",
        context=_context(case, step),
        language=case.language,
    )


@register("remind_payment")
def remind_payment(step: CaseStep) -> None:
    """The fee is still open (payments said so, cases/payable.py): one reminder to the
    applicant, sent through the step engine so that a mail server failure retries it."""
    case = step.case
    language = case.language or "de"
    with translation.override(language):
        send_step_email(
            step=step,
            purpose="payment_reminder",
            to=[case.applicant_email],
            template="payment_reminder",
            context={
                **_context(case, step),
                "amount": money(int(step.payload.get("amount_cents", case.fee_cents)), language),
                "payee_name": step.payload.get("payee_name", ""),
            },
            language=language,
        )
    case_record_event(
        case=case,
        type=CaseEvent.Type.PAYMENT,
        comment=notes.note(gettext_noop("Reminder sent: the fee is still open.")),
        internal=False,
        actor_label=Actor.PAYMENTS,
    )


@register("send_new_link")
def send_new_link(step: CaseStep) -> None:
    """A clerk revoked the applicant's access link: the new one, by e-mail (ADR 0003)."""
    case = step.case
    send_step_email(
        step=step,
        purpose="new_link",
        to=[case.applicant_email] if case.applicant_email else [],
        template="new_link",
        context=_context(case, step),
        language=case.language,
    )
