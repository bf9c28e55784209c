"""The answer to an access request (GDPR Art. 15): one ZIP with everything the portal stores
about a person's cases — `data.json` (machine-readable), `summary.pdf` (readable) and the
uploaded and issued files under `files/<reference>/` (docs/operations.md, Requests of data
subjects). Who may ask and the audit trail: district/privacy.py."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import Case, CaseEvent, OutboundEmail
from catalog.forms.conditions import shown_steps
from core import pdf
from core.formats import money
from core.tenancy import Scope
from district.privacy import (
    Records,
    normalized_email,
    person_cases,
    person_records,
    record_export,
)
from municipalities.models import Municipality
from payments.models import Payment, Refund, StatementLine

FORMAT = "kreisportal-privacy-export/1"


def privacy_export(*, scope: Scope | None, actor, email: str, language: str = "de") -> bytes:
    """The ZIP for `email`, recorded in the audit trail."""
    email = normalized_email(email)
    cases = list(person_cases(scope=scope, email=email))
    other = person_records(scope=scope, email=email)
    now = timezone.now()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        documents = []
        for case in cases:
            document, files = _case_document(case)
            documents.append(document)
            for path, attachment in files:
                try:
                    with attachment.file.open("rb") as stored:
                        archive.writestr(path, stored.read())
                except (FileNotFoundError, OSError):
                    document["missing_files"] = [*document.get("missing_files", []), path]
        data = {"format": FORMAT, "email": email, "generated_at": now.isoformat()}
        data["cases"] = documents
        data["other"] = {
            records.name: [
                {key: value for key, value in record.items() if key != "lines"}
                for record in records.records
            ]
            for records in other
        }
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr("summary.pdf", _summary_pdf(email, cases, other, now, language))
    record_export(actor=actor, email=email, cases=cases, other=other)
    return buffer.getvalue()


def _iso(value: datetime.datetime | datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _public_events(case: Case) -> list[CaseEvent]:
    return list(case.events.filter(visibility=CaseEvent.Visibility.PUBLIC).order_by("at", "id"))


def _emails(case: Case) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(step__case=case).order_by("sent_at", "id"))


def _case_document(case: Case) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """The case as JSON, and the files to add: (path in the ZIP, attachment)."""
    files = []
    listed = []
    for attachment in case.attachments.servable().order_by("uploaded_at", "id"):
        # One folder per case; a name cannot climb out of it when the archive is unpacked.
        name = attachment.original_name.replace("\\", "/").rsplit("/", 1)[-1].lstrip(".")
        path = f"files/{case.reference}/{attachment.pk}-{name or 'datei'}"
        files.append((path, attachment))
        listed.append(
            {
                "name": attachment.original_name,
                "kind": attachment.kind,
                "field": attachment.field_name,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "sha256": attachment.sha256,
                "uploaded_at": _iso(attachment.uploaded_at),
                "path": path,
            }
        )
    payments = list(Payment.objects.filter(payable=case).order_by("created_at"))
    document = {
        "reference": case.reference,
        "service": {"key": case.service.key, "version": case.service.version},
        "municipality": case.municipality.name,
        "processing_authority": case.processing_authority.name,
        "status": case.status,
        "submitted_at": _iso(case.submitted_at),
        "closed_at": _iso(case.closed_at),
        "applicant": {"name": case.applicant_name, "email": case.applicant_email},
        "language": case.language,
        "answers": case.data,
        "timeline": [
            {"at": _iso(e.at), "type": e.type, "status": e.to_status, "comment": e.comment}
            for e in _public_events(case)
        ],
        "files": listed,
        "payments": [_payment(payment) for payment in payments],
        "emails": [
            {"sent_at": _iso(m.sent_at), "to": m.to, "subject": m.subject} for m in _emails(case)
        ],
    }
    return document, files


def _payment(payment: Payment) -> dict[str, Any]:
    lines = StatementLine.objects.filter(payment=payment).order_by("id")
    refunds = Refund.objects.filter(payment=payment).order_by("requested_at")
    return {
        "provider": payment.provider,
        "status": payment.status,
        "amount_cents": payment.amount_cents,
        "currency": payment.currency,
        "creditor_reference": payment.creditor_reference,
        "created_at": _iso(payment.created_at),
        "transfers": [
            {
                "booking_date": _iso(line.booking_date),
                "amount_cents": line.amount_cents,
                "payer_name": line.debtor_name,
                "payer_iban": line.debtor_iban,
                "payer_bic": line.debtor_bic,
                "remittance": line.remittance,
            }
            for line in lines
        ],
        "refunds": [
            {
                "kind": refund.kind,
                "status": refund.status,
                "amount_cents": refund.amount_cents,
                "to_name": refund.creditor_name,
                "to_iban": refund.creditor_iban,
                "requested_at": _iso(refund.requested_at),
            }
            for refund in refunds
        ],
    }


def _summary_pdf(
    email: str, cases: list[Case], other: list[Records], now: datetime.datetime, language: str
) -> bytes:
    district = Municipality.objects.filter(kind=Municipality.Kind.DISTRICT).first()
    with translation.override(language):
        summary: pdf.PrivacySummary = {
            "portal_name": "Kreisportal",
            "authority": district.payee_name or district.name if district else "Kreisportal",
            "email": email,
            "date": timezone.localdate(now),
            "cases": [_summary_case(case, language) for case in cases],
            "other": [
                {
                    "label": str(records.label),
                    "records": [
                        (datetime.datetime.fromisoformat(r["received_at"]), r["lines"])
                        for r in records.records
                    ],
                }
                for records in other
            ],
        }
    return pdf.privacy_summary_pdf(summary, language=language)


def _summary_case(case: Case, language: str) -> pdf.PrivacyCase:
    types = dict(CaseEvent.Type.choices)
    answers = [
        (str(field.label), field.display(case.data.get(field.name)))
        for step in shown_steps(case.service.form, case.data)
        for field in step.fields
        if not field.kind.is_file
    ]
    payments = []
    for payment in Payment.objects.filter(payable=case).order_by("created_at"):
        payments.append(
            _("%(amount)s, %(status)s (%(reference)s)")
            % {
                "amount": money(payment.amount_cents, language),
                "status": payment.get_status_display(),
                "reference": payment.creditor_reference,
            }
        )
        for line in StatementLine.objects.filter(payment=payment):
            payments.append(
                _("Transfer of %(amount)s from %(name)s, %(iban)s")
                % {
                    "amount": money(line.amount_cents, language),
                    "name": line.debtor_name,
                    "iban": line.debtor_iban,
                }
            )
        for refund in Refund.objects.filter(payment=payment):
            payments.append(
                _("Refund of %(amount)s to %(name)s, %(iban)s: %(status)s")
                % {
                    "amount": money(refund.amount_cents, language),
                    "name": refund.creditor_name,
                    "iban": refund.creditor_iban,
                    "status": refund.get_status_display(),
                }
            )
    return {
        "reference": case.reference,
        "service_name": case.service.display_name,
        "municipality": case.municipality.name,
        "processing_authority": case.processing_authority.name,
        "status": case.get_status_display(),
        "submitted_at": case.submitted_at,
        "applicant": {"name": case.applicant_name, "email": case.applicant_email},
        "answers": answers,
        "timeline": [
            (e.at, " – ".join(filter(None, [str(types.get(e.type, e.type)), e.comment])))
            for e in _public_events(case)
        ],
        "payments": payments,
        "files": [a.original_name for a in case.attachments.servable().order_by("uploaded_at")],
        "emails": [(m.sent_at, f"{m.subject} → {', '.join(m.to)}") for m in _emails(case)],
    }
