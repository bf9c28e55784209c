"""The PDFs of a case: the receipt (Eingangsbestätigung) of the answers and the Bescheid.
This module turns a case into the plain dicts of `core.pdf` (docs/documents.md); the
renderer writes tagged PDF/A with embedded Unicode fonts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from cases.models import Attachment, Case
from catalog.forms.conditions import shown_steps
from catalog.forms.fields import Field
from core import pdf
from legal.selectors import legal_remedy_for, letterhead
from payments.models import Payment
from payments.selectors import payment_status_for, settled_payment_for

PORTAL_NAME = "Kreisportal"
#: Field types whose stored value core.pdf formats itself (dates, numbers, yes/no, IBAN).
RAW_KINDS = {"date", "integer", "decimal", "boolean", "iban"}


def _answer(field: Field, value: Any, files: dict[str, list[str]]) -> pdf.Answer:
    if field.kind.is_file:
        return {"label": field.label, "kind": "file", "value": files.get(field.name, [])}
    if field.type in RAW_KINDS:
        return {"label": field.label, "kind": field.type, "value": value}
    if value is None or value == "" or value == []:
        return {"label": field.label, "kind": "text", "value": None}
    return {"label": field.label, "kind": "text", "value": field.display(value)}


def receipt_steps(case: Case) -> list[pdf.Step]:
    """The answers of a case by form step, in the active language: the one list the receipt
    prints. Only the steps and questions that applied to the answers (visible_if,
    catalog/forms/conditions.py)."""
    files: dict[str, list[str]] = {}
    for attachment in case.attachments.filter(kind=Attachment.Kind.UPLOAD).order_by("id"):
        files.setdefault(attachment.field_name, []).append(attachment.original_name)
    return [
        {
            "title": step.title,
            "answers": [_answer(field, case.data.get(field.name), files) for field in step.fields],
        }
        for step in shown_steps(case.service.form, case.data)
    ]


def _fee(case: Case) -> pdf.Fee | None:
    if not case.fee_cents:
        return None
    status = payment_status_for(case)
    if status == Payment.Status.REFUNDED:
        return {"amount_cents": case.fee_cents, "status": "refunded", "paid_on": None}
    if status == Payment.Status.PAID:
        settled = settled_payment_for(case)
        paid_at = settled.paid_at if settled is not None else None
        paid_on = timezone.localtime(paid_at).date() if paid_at else None
        return {"amount_cents": case.fee_cents, "status": "paid", "paid_on": paid_on}
    return {"amount_cents": case.fee_cents, "status": "open", "paid_on": None}


def _applicant(case: Case) -> pdf.Person:
    return {"name": case.applicant_name, "address_lines": [], "email": case.applicant_email}


def receipt_pdf(case: Case, *, language: str) -> bytes:
    """The receipt of a filed case in `language`."""
    receipt: pdf.Receipt = {
        "reference": case.reference,
        "submitted_at": case.submitted_at,
        "portal_name": getattr(settings, "PORTAL_NAME", PORTAL_NAME),
        "municipality": letterhead(case.municipality),
        "processing_authority": case.processing_authority.payee_name,
        "service_name": case.service.display_name,
        "applicant": _applicant(case),
        "steps": receipt_steps(case),
        "fee": _fee(case),
    }
    return pdf.receipt_pdf(receipt, language=language)


def bescheid_pdf(case: Case, reasons: str, *, language: str) -> bytes:
    """The Bescheid on a decided case in `language`: the deciding authority's letterhead,
    "on behalf of" the filing town when delegated, the clerk's reasons, the fee and the
    Rechtsbehelfsbelehrung of the service."""
    authority = case.processing_authority
    delegated = authority.pk != case.municipality_id
    clerk = case.assigned_to
    bescheid: pdf.Bescheid = {
        "reference": case.reference,
        "date": timezone.localdate(case.closed_at) if case.closed_at else timezone.localdate(),
        "filed_on": timezone.localdate(case.submitted_at),
        "authority": letterhead(authority),
        "on_behalf_of": case.municipality.payee_name if delegated else None,
        "addressee": _applicant(case),
        "service_name": case.service.display_name,
        "decision": "approved" if case.status == Case.Status.APPROVED else "rejected",
        "reasons": reasons,
        "fee": _fee(case),
        "legal_remedy": legal_remedy_for(case.service, authority),
        "clerk_name": (clerk.get_full_name() or None) if clerk is not None else None,
    }
    return pdf.bescheid_pdf(bescheid, language=language)


def filename(kind: str, case: Case, language: str) -> str:
    """Bescheid-<ref>.pdf, Eingangsbestaetigung-<ref>.pdf (English: Decision-, Receipt-)."""
    return pdf.pdf_filename(kind, case.reference, language)  # type: ignore[arg-type]
