"""What the retention purge and an erasure erase of payments (core/purge.py): everything
that names the payer of a purged case's fee — the raw provider messages and statement
entries stored as payment events, the statement lines that paid it (name, account, bank,
remittance text) and their lines in the stored import report, the refunds that paid money
back (whom, to which account, with which text) and the stored transfer file (pain.001,
`RefundExport.xml`) of every export that carried one of those refunds: the treasury
executed it long before the case's retention period ended.

Kept for the books: amounts, dates, statuses, creditor references, the bank's references,
the export's message id, number of transfers and total; audit entries about these rows
keep who did what and when, not the values."""

from __future__ import annotations

import datetime
from typing import Any

from core.audit import audit_redact
from core.models import AuditEntry
from core.purge import purge_hook
from payments.models import (
    Payment,
    PaymentEvent,
    Refund,
    RefundExport,
    StatementImport,
    StatementLine,
)

ERASED_LINE_FIELDS = {"debtor_name": "", "debtor_iban": "", "debtor_bic": "", "remittance": ""}


@purge_hook(
    "payments",
    erases=[PaymentEvent, StatementImport, StatementLine, Refund, RefundExport, AuditEntry],
)
def purge_payments(case_ids: list[int], now: datetime.datetime) -> list[Any]:
    payments = list(Payment.objects.filter(payable_id__in=case_ids).values_list("pk", flat=True))
    if not payments:
        return []
    PaymentEvent.objects.filter(payment_id__in=payments).update(payload={})
    lines = StatementLine.objects.filter(payment_id__in=payments) | StatementLine.objects.filter(
        refunds__payment_id__in=payments
    )
    line_ids = list(lines.values_list("pk", flat=True).distinct())
    StatementLine.objects.filter(pk__in=line_ids).update(**ERASED_LINE_FIELDS)
    _redact_reports(
        StatementImport.objects.filter(lines__pk__in=line_ids).distinct(),
        payments={str(pk) for pk in payments},
    )
    refunds = list(Refund.objects.filter(payment_id__in=payments).values_list("pk", flat=True))
    Refund.objects.filter(pk__in=refunds).update(
        creditor_name="", creditor_iban="", creditor_bic="", remittance="", message=""
    )
    exports = RefundExport.objects.filter(refunds__pk__in=refunds, purged_at__isnull=True)
    RefundExport.objects.filter(pk__in=list(exports.values_list("pk", flat=True))).update(
        xml="", purged_at=now
    )
    audit_redact(Payment, payments)
    audit_redact(Refund, refunds)
    audit_redact(StatementLine, line_ids)
    return []


def _redact_reports(imports: Any, *, payments: set[str]) -> None:
    """The import report keeps one entry per line; those of the purged payments lose the
    payer's name."""
    for record in imports.only("pk", "report"):
        report = record.report
        for line in report.get("lines", []):
            if line.get("payment") in payments:
                line["debtor_name"] = ""
        StatementImport.objects.filter(pk=record.pk).update(report=report)
