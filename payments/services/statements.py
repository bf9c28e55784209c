"""Bank statements (camt.053/.054) of a town's fee account, one file or a ZIP of them: each
credit line is matched to a pending transfer by its creditor reference and amount; the file
and each line are stored once, so a second import books nothing new. The account may be
named by IBAN or by `Othr/Id` (camt.Account.matches)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import formats, notes
from core.errors import Invalid
from core.scanning import UploadInfected, scan_upload
from municipalities.models import Municipality
from payments import camt, payables, providers
from payments.models import Payment, PaymentEvent, Refund, StatementImport, StatementLine
from payments.services.common import SETTLED, mark_paid, note
from payments.services.refunds import refund_transfer_back
from payments.statement_files import is_zip, statement_files


@dataclass
class ImportReport:
    statement_id: int | None
    iban: str
    kind: str
    version: str
    duplicate_file: bool = False
    lines: list[dict] = field(default_factory=list)

    def count(self, *outcomes: str) -> int:
        return sum(1 for line in self.lines if line["outcome"] in outcomes)

    @property
    def matched(self) -> int:
        return self.count(StatementLine.Outcome.MATCHED, StatementLine.Outcome.OVERPAID)

    @property
    def unmatched(self) -> int:
        return self.count(
            StatementLine.Outcome.UNKNOWN_REFERENCE,
            StatementLine.Outcome.NO_REFERENCE,
            StatementLine.Outcome.UNDERPAID,
            StatementLine.Outcome.ALREADY_PAID,
            StatementLine.Outcome.WRONG_CURRENCY,
        )

    @property
    def duplicates(self) -> int:
        return self.count("duplicate")

    def as_dict(self) -> dict:
        return {
            "id": self.statement_id,
            "iban": self.iban,
            "kind": self.kind,
            "version": self.version,
            "duplicate_file": self.duplicate_file,
            "matched": self.matched,
            "unmatched": self.unmatched,
            "duplicates": self.duplicates,
            "overpaid": self.count(StatementLine.Outcome.OVERPAID),
            "underpaid": self.count(StatementLine.Outcome.UNDERPAID),
            "ignored": self.count(
                StatementLine.Outcome.DEBIT, StatementLine.Outcome.REVERSAL, "not_booked"
            ),
            "lines": self.lines,
        }


def _line(entry: camt.Entry, outcome: str, payment: Payment | None = None, note: str = "") -> dict:
    return {
        "bank_reference": entry.bank_reference,
        "amount_cents": entry.amount_cents,
        "currency": entry.currency,
        "credit": entry.credit,
        "reversal": entry.reversal,
        "booking_date": entry.booking_date.isoformat() if entry.booking_date else None,
        "debtor_name": entry.debtor_name or "",
        "references": list(entry.creditor_references),
        "outcome": outcome,
        "payment": str(payment.pk) if payment else None,
        "case": str(payment.payable) if payment else None,  # the payable's reference
        "expected_cents": payment.amount_cents if payment else None,
        "note": note,
    }


@dataclass
class UploadReport:
    """What one upload imported: one statement file, or each file of a ZIP."""

    reports: list[ImportReport]
    archive: bool = False

    def as_dict(self) -> dict:
        if not self.archive:
            return self.reports[0].as_dict()
        files = [report.as_dict() for report in self.reports]
        totals = ("matched", "unmatched", "duplicates", "overpaid", "underpaid", "ignored")
        return {
            **{key: sum(file[key] for file in files) for key in totals},
            "duplicate_file": all(file["duplicate_file"] for file in files),
            "files": files,
        }


def statements_upload(
    *,
    municipality: Municipality,
    data: bytes,
    filename: str = "",
    user: AbstractBaseUser | None = None,
) -> UploadReport:
    """Import an upload of the municipality's fee account: a camt.053/.054 file, or a ZIP of
    them. Every file is read and checked first: one unsafe, unreadable or foreign file
    refuses the whole upload (400) and nothing is booked; then all are imported in one
    transaction. The virus check sees the upload first: an infected file is refused (400 at
    `file`), no verdict refuses it too (UploadNotScanned, 503)."""
    try:
        scan_upload(data, field="file", name=filename, municipality_id=municipality.pk, actor=user)
    except UploadInfected as infected:
        raise Invalid(errors={"file": [str(infected.user_message)]}) from infected
    files = statement_files(data, filename)
    prepared = []
    for file in files:
        try:
            prepared.append((file, *_prepare(municipality, file.data)))
        except camt.StatementError as error:
            if len(files) == 1:
                raise
            raise camt.StatementError(f"{file.name.rsplit('/', 1)[-1]}: {error.detail}") from error
    with transaction.atomic():
        reports = [
            _import(municipality, statement, iban, filename=file.name, user=user)
            for file, statement, iban in prepared
        ]
    return UploadReport(reports=reports, archive=is_zip(data))


def statement_import(
    *,
    municipality: Municipality,
    data: bytes,
    filename: str = "",
    user: AbstractBaseUser | None = None,
) -> ImportReport:
    """Import a camt.053/.054 file of the municipality's fee account and book its credits.

    Raises camt.StatementError (400) for an unreadable or unsafe file, or one of another
    account. A file imported before, and any line imported before, books nothing again."""
    statement, iban = _prepare(municipality, data)
    return _import(municipality, statement, iban, filename=filename, user=user)


def _prepare(municipality: Municipality, data: bytes) -> tuple[camt.Statement, str]:
    """The parsed statement and which of the town's accounts it is (IBAN)."""
    statement = camt.parse_statement(data)
    own = {"".join(municipality.iban.split()).upper()}
    own |= set(
        Payment.objects.filter(payee_municipality=municipality).values_list("payee_iban", flat=True)
    )
    iban = next(
        (i for i in sorted(own) if i and statement.account.matches(i, bic=municipality.bic)), None
    )
    if iban is None:
        raise camt.StatementError(
            _("This statement is for account %(iban)s, which is not an account of %(town)s.")
            % {"iban": statement.account.label, "town": municipality.name}
        )
    return statement, iban


def _import(
    municipality: Municipality,
    statement: camt.Statement,
    iban: str,
    *,
    filename: str,
    user: AbstractBaseUser | None,
) -> ImportReport:
    report = ImportReport(
        statement_id=None, iban=iban, kind=statement.kind, version=statement.version
    )
    earlier = StatementImport.objects.filter(file_sha256=statement.file_sha256).first()
    if earlier is not None:
        return _duplicate_file(report, statement, earlier)
    try:
        with transaction.atomic():
            record = StatementImport.objects.create(
                municipality=municipality,
                iban=iban,
                file_sha256=statement.file_sha256,
                filename=(filename or "")[-255:],
                kind=statement.kind,
                version=statement.version,
                message_id=statement.message_id[:100],
                uploaded_by=user,
                entries=len(statement.entries),
            )
    except IntegrityError:
        earlier = StatementImport.objects.get(file_sha256=statement.file_sha256)
        return _duplicate_file(report, statement, earlier)
    report.statement_id = record.pk
    for entry in statement.entries:
        report.lines.append(_import_entry(record, municipality, iban, entry))
    summary = report.as_dict()
    StatementImport.objects.filter(pk=record.pk).update(
        matched=report.matched,
        unmatched=report.unmatched,
        duplicates=report.duplicates,
        report=summary,
    )
    return report


def _duplicate_file(
    report: ImportReport, statement: camt.Statement, earlier: StatementImport
) -> ImportReport:
    report.statement_id = earlier.pk
    report.duplicate_file = True
    report.lines = [
        _line(entry, "duplicate", note=_("This file was imported before."))
        for entry in statement.entries
        if entry.booked
    ]
    return report


def _import_entry(
    record: StatementImport, municipality: Municipality, iban: str, entry: camt.Entry
) -> dict:
    if not entry.booked:
        # Not stored: when the bank books it, a later file brings it with the same key.
        return _line(entry, "not_booked", note=_("Not booked yet."))
    try:
        with transaction.atomic():
            line = StatementLine.objects.create(
                statement=record,
                iban=iban,
                bank_reference=entry.bank_reference[:120],
                amount_cents=entry.amount_cents,
                currency=entry.currency,
                credit=entry.credit,
                reversal=entry.reversal,
                booking_date=entry.booking_date,
                value_date=entry.value_date,
                debtor_name=(entry.debtor_name or "")[:140],
                debtor_iban=(entry.debtor_iban or "")[:34],
                debtor_bic=(entry.debtor_bic or "")[:11],
                creditor_references=list(entry.creditor_references),
                remittance="\n".join(entry.unstructured),
                outcome=StatementLine.Outcome.NO_REFERENCE,
            )
            outcome, payment, note = _book(municipality, iban, entry, line)
            line.outcome = outcome
            line.payment = payment
            line.save(update_fields=["outcome", "payment"])
    except IntegrityError:
        return _line(entry, "duplicate", note=_("This line was imported before."))
    return _line(entry, outcome, payment, note)


def _book(
    municipality: Municipality, iban: str, entry: camt.Entry, line: StatementLine
) -> tuple[str, Payment | None, str]:
    Outcome = StatementLine.Outcome
    if entry.reversal:
        return Outcome.REVERSAL, None, _("A reversal: check the booking it reverses.")
    if not entry.credit:
        return Outcome.DEBIT, None, ""
    candidates = list(
        Payment.objects.select_related("payee_municipality")
        .filter(
            payee_municipality=municipality,
            payee_iban=iban,
            provider__in=providers.keys_where("settled_by_statement"),
            creditor_reference__in=entry.creditor_references,
        )
        .order_by("-created_at")
    )
    if not candidates:
        if entry.creditor_references:
            return Outcome.UNKNOWN_REFERENCE, None, ""
        return Outcome.NO_REFERENCE, None, ""
    payment = next((p for p in candidates if p.is_active), candidates[0])
    if entry.currency != payment.currency:
        return Outcome.WRONG_CURRENCY, payment, ""
    PaymentEvent.objects.create(
        payment=payment,
        provider=payment.provider,
        kind=PaymentEvent.Kind.STATEMENT,
        message_key=f"camt:{iban}:{entry.bank_reference}"[:200],
        payload={
            "bank_reference": entry.bank_reference,
            "amount_cents": entry.amount_cents,
            "currency": entry.currency,
            "debtor_name": entry.debtor_name,
            "debtor_iban": entry.debtor_iban,
            "references": list(entry.creditor_references),
            "remittance": list(entry.unstructured),
            "booking_date": entry.booking_date.isoformat() if entry.booking_date else None,
        },
    )
    amount = notes.money(entry.amount_cents)
    if Payment.objects.filter(payable_id=payment.payable_id, status__in=SETTLED).exists():
        refund = refund_transfer_back(
            payment=payment, line=line, kind=Refund.Kind.DUPLICATE, amount_cents=entry.amount_cents
        )
        payables.adapter().paid_twice(
            payment.payable,
            payment=payment,
            comment=notes.note(
                gettext_noop(
                    "A bank transfer of %(amount)s arrived although the fee was paid already; "
                    "it is being refunded."
                )
                if refund
                else gettext_noop(
                    "A bank transfer of %(amount)s arrived although the fee was paid already; "
                    "refund it."
                ),
                amount=amount,
            ),
        )
        return (
            Outcome.ALREADY_PAID,
            payment,
            _("The fee was paid already: the transfer is refunded with the next transfer file.")
            if refund
            else _("The fee was paid already: refund this transfer by hand."),
        )
    if entry.amount_cents < payment.amount_cents:
        note(
            payment,
            notes.note(
                gettext_noop(
                    "A bank transfer of %(amount)s arrived, less than the fee of %(fee)s."
                ),
                amount=amount,
                fee=notes.money(payment.amount_cents),
            ),
            internal=True,
        )
        return Outcome.UNDERPAID, payment, _("Less than the fee: not booked.")
    comment = notes.note(gettext_noop("Paid by bank transfer, %(amount)s."), amount=amount)
    mark_paid(payment, method=providers.get(payment.provider).method, comment=comment)
    if entry.amount_cents > payment.amount_cents:
        return _overpaid(payment, line, entry.amount_cents - payment.amount_cents)
    return Outcome.MATCHED, payment, ""


def _overpaid(
    payment: Payment, line: StatementLine, surplus_cents: int
) -> tuple[str, Payment, str]:
    """The fee is booked; what came beyond it goes back to the payer as its own refund."""
    surplus = notes.money(surplus_cents)
    refund = refund_transfer_back(
        payment=payment, line=line, kind=Refund.Kind.SURPLUS, amount_cents=surplus_cents
    )
    if refund is None:
        history = gettext_noop("Over-payment of %(surplus)s: the surplus must be refunded by hand.")
        report = _("Fee booked; surplus %(surplus)s to refund by hand.")
    else:
        history = gettext_noop(
            "Over-payment of %(surplus)s: the surplus is refunded to the payer's account."
        )
        report = _("Fee booked; surplus %(surplus)s is refunded with the next transfer file.")
    # The payer reads that the surplus comes back; a refund by hand is the treasury's note.
    note(payment, notes.note(history, surplus=surplus), internal=refund is None)
    return (
        StatementLine.Outcome.OVERPAID,
        payment,
        report % {"surplus": formats.money(surplus_cents)},
    )
