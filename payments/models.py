"""Payments of fees (docs/architecture.md, Payments; protocol facts in docs/payments.md).

A `Payment` is one attempt to collect a payable's fee (payments/payables.py: a case, for
this portal) through one provider. Every message a provider sends about it is stored as a
`PaymentEvent` before it is acted on; the unique key of that row is what makes a repeated
message change nothing. Bank statements are stored per file (`StatementImport`) and per
line (`StatementLine`), each unique, so a second import matches nothing new.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.purge import personal_data
from municipalities.models import Municipality


class Payment(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", _("Created")
        PENDING = "pending", _("Awaiting payment")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")
        REFUNDED = "refunded", _("Refunded")

    #: At most one payment per case may be in these states (database constraint).
    ACTIVE_STATUSES = (Status.CREATED, Status.PENDING)
    #: The fee has arrived (and may have been paid back since).
    SETTLED_STATUSES = (Status.PAID, Status.REFUNDED)

    # Public id: unguessable, so the QR image and the API detail cannot be enumerated.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # What the fee is for. The model is the project's choice (PAYMENTS_PAYABLE_MODEL); the
    # column keeps the name it had when payments belonged to cases.
    payable = models.ForeignKey(
        settings.PAYMENTS_PAYABLE_MODEL,
        on_delete=models.PROTECT,
        related_name="payments",
        db_column="case_id",
        verbose_name=_("case"),
    )
    attempt = models.PositiveIntegerField(_("attempt"))
    provider = models.CharField(_("provider"), max_length=20)
    method = models.CharField(
        _("method"), max_length=40, blank=True, help_text=_("As the provider reports it.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CREATED
    )
    amount_cents = models.PositiveIntegerField(_("amount in cents"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    creditor_reference = models.CharField(_("creditor reference (RF)"), max_length=35, unique=True)
    merchant_tx_id = models.CharField(_("merchant transaction id"), max_length=64, unique=True)
    provider_reference = models.CharField(_("provider reference"), max_length=80, blank=True)
    redirect_url = models.URLField(_("checkout address"), max_length=500, blank=True)
    # The payee is a snapshot: a town changing its account later must not redirect
    # money already asked for, and the statement import matches on this IBAN.
    payee_municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="payments_owed",
        verbose_name=_("payee municipality"),
    )
    payee_name = models.CharField(_("payee name"), max_length=70)
    payee_iban = models.CharField(_("payee IBAN"), max_length=34)
    payee_bic = models.CharField(_("payee BIC"), max_length=11, blank=True)
    kassenzeichen = models.CharField(_("Kassenzeichen"), max_length=40, blank=True)
    receipt_number = models.CharField(_("receipt number"), max_length=40, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked paid by"),
    )
    idempotency_key = models.CharField(
        max_length=255, blank=True, verbose_name=_("idempotency key")
    )
    request_hash = models.CharField(max_length=64, blank=True, verbose_name=_("request hash"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["payable"],
                condition=Q(status__in=["created", "pending"]),
                name="payment_one_active_per_case",
            ),
            models.UniqueConstraint(fields=["payable", "attempt"], name="payment_attempt_unique"),
            models.UniqueConstraint(
                fields=["payable", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="payment_idempotency_key_unique",
            ),
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="payment_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["provider", "status", "created_at"], name="payment_due_idx"),
            models.Index(fields=["payee_municipality", "payee_iban"], name="payment_payee_idx"),
        ]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        # Read in lists and pages: the provider's and the status's names, not their keys.
        return f"{self.creditor_reference} ({self.provider_label}, {self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def provider_label(self) -> str:
        """How the provider is called on pages (its key is for machines)."""
        from payments import providers

        try:
            return str(providers.get(self.provider).label)
        except KeyError:
            return self.provider


class PaymentEvent(models.Model):
    """A provider message or a decision about a payment, stored raw. Append-only."""

    class Kind(models.TextChoices):
        START = "start", _("Started")
        NOTIFY = "notify", _("Provider notification")
        REDIRECT = "redirect", _("Return from the checkout")
        STATUS = "status", _("Status call")
        STATEMENT = "statement", _("Bank statement line")
        COUNTER = "counter", _("Paid at the counter")
        REFUND = "refund", _("Refund")
        SUPERSEDED = "superseded", _("Superseded by another way of paying")
        EXPIRED = "expired", _("Expired")

    payment = models.ForeignKey(
        Payment, on_delete=models.CASCADE, related_name="events", verbose_name=_("payment")
    )
    provider = models.CharField(max_length=20, verbose_name=_("provider"))
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    # Unique per provider message: the notify and the redirect of one GiroCheckout
    # result carry the same signed parameters and therefore the same key.
    message_key = models.CharField(max_length=200, verbose_name=_("message key"))
    payload = models.JSONField(default=dict, blank=True, verbose_name=_("payload"))
    outcome = models.CharField(max_length=200, blank=True, verbose_name=_("outcome"))
    received_at = models.DateTimeField(default=timezone.now, verbose_name=_("received at"))

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "message_key"], name="payment_event_once_per_message"
            )
        ]
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")

    def __str__(self) -> str:
        return f"{self.provider}:{self.kind} {self.received_at:%Y-%m-%d %H:%M}"


class StatementImport(models.Model):
    """One uploaded camt.053/.054 file; the same file twice is recognised by its hash."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="statement_imports",
        verbose_name=_("municipality"),
    )
    iban = models.CharField(_("IBAN"), max_length=34)
    file_sha256 = models.CharField(
        max_length=64, unique=True, verbose_name=_("SHA-256 of the file")
    )
    filename = models.CharField(max_length=255, blank=True, verbose_name=_("file name"))
    kind = models.CharField(max_length=10, verbose_name=_("kind"))
    version = models.CharField(max_length=10, blank=True, verbose_name=_("version"))
    message_id = models.CharField(max_length=100, blank=True, verbose_name=_("message ID"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(default=timezone.now, verbose_name=_("uploaded at"))
    entries = models.PositiveIntegerField(default=0, verbose_name=_("entries"))
    matched = models.PositiveIntegerField(default=0, verbose_name=_("booked"))
    unmatched = models.PositiveIntegerField(default=0, verbose_name=_("to check"))
    duplicates = models.PositiveIntegerField(default=0, verbose_name=_("seen before"))
    report = models.JSONField(default=dict, blank=True, verbose_name=_("report"))

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("statement import")
        verbose_name_plural = _("statement imports")

    def __str__(self) -> str:
        return f"{self.iban} {self.uploaded_at:%Y-%m-%d %H:%M} ({self.kind})"


class StatementLine(models.Model):
    """One booked statement line; (IBAN, bank reference) is the bank's own unique key."""

    class Outcome(models.TextChoices):
        MATCHED = "matched", _("Matched")
        OVERPAID = "overpaid", _("Over-payment")
        UNDERPAID = "underpaid", _("Under-payment")
        UNKNOWN_REFERENCE = "unknown_reference", _("Unknown reference")
        NO_REFERENCE = "no_reference", _("No reference")
        ALREADY_PAID = "already_paid", _("Case already paid")
        WRONG_CURRENCY = "wrong_currency", _("Wrong currency")
        DEBIT = "debit", _("Debit")
        REVERSAL = "reversal", _("Reversal")

    statement = models.ForeignKey(
        StatementImport, on_delete=models.CASCADE, related_name="lines", verbose_name=_("statement")
    )
    iban = models.CharField(max_length=34, verbose_name=_("IBAN"))
    bank_reference = models.CharField(max_length=120, verbose_name=_("bank reference"))
    amount_cents = models.PositiveBigIntegerField(verbose_name=_("amount (cents)"))
    currency = models.CharField(max_length=3, verbose_name=_("currency"))
    credit = models.BooleanField(verbose_name=_("credit"))
    reversal = models.BooleanField(default=False, verbose_name=_("reversal"))
    booking_date = models.DateField(null=True, blank=True, verbose_name=_("booking date"))
    value_date = models.DateField(null=True, blank=True, verbose_name=_("value date"))
    debtor_name = models.CharField(max_length=140, blank=True, verbose_name=_("payer's name"))
    debtor_iban = models.CharField(max_length=34, blank=True, verbose_name=_("payer's IBAN"))
    # The payer's bank where the statement names it (a refund outside the EEA needs it).
    debtor_bic = models.CharField(max_length=11, blank=True, verbose_name=_("payer's BIC"))
    creditor_references = models.JSONField(
        default=list, blank=True, verbose_name=_("creditor references")
    )
    remittance = models.TextField(blank=True, verbose_name=_("remittance information"))
    payment = models.ForeignKey(
        Payment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="statement_lines",
        verbose_name=_("payment"),
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, verbose_name=_("outcome"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["iban", "bank_reference"], name="statement_line_once_per_bank_reference"
            )
        ]
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")

    def __str__(self) -> str:
        return f"{self.iban} {self.bank_reference}"


class RefundExport(models.Model):
    """One SEPA credit transfer file (pain.001) handed to a town's treasury, kept as it was
    made so it can be downloaded again (the bank refuses its message id a second time)."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="refund_exports",
        verbose_name=_("municipality"),
    )
    message_id = models.CharField(_("message id"), max_length=35, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    count = models.PositiveIntegerField(_("transfers"))
    total_cents = models.PositiveBigIntegerField(_("total in cents"))
    # Names and accounts of payers: erased with the personal data of the cases it refunds
    # (payments/purge.py); the record stays for the books.
    xml = models.TextField(blank=True, verbose_name=_("XML file"))
    purged_at = models.DateTimeField(_("file erased at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("refund export")
        verbose_name_plural = _("refund exports")

    def __str__(self) -> str:
        return self.message_id

    @property
    def filename(self) -> str:
        return f"erstattungen-{self.municipality.slug}-{self.message_id}.xml"


class Refund(models.Model):
    """Paying money back. GiroCheckout refunds through its API; money that came by bank
    transfer becomes an obligation the town's treasury pays with a pain.001 file.

    A fee is refunded once (a rejected request); what a transfer brought beyond the fee
    (`surplus`) or for a fee paid already (`duplicate`) goes back as a refund of its own,
    once per statement line, so that the payer gets back everything that was not owed."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open: to be transferred")
        EXPORTED = "exported", _("Exported for the treasury")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Kind(models.TextChoices):
        FEE = "fee", _("Fee of a rejected request")
        SURPLUS = "surplus", _("Paid more than the fee")
        DUPLICATE = "duplicate", _("Paid although the fee was paid already")

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("payment")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FEE)
    # The transfer the money came with (surplus and duplicate refunds: one refund per line).
    statement_line = models.ForeignKey(
        StatementLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refunds",
        verbose_name=_("statement line"),
    )
    amount_cents = models.PositiveIntegerField(verbose_name=_("amount (cents)"))
    currency = models.CharField(max_length=3, default="EUR", verbose_name=_("currency"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, verbose_name=_("status")
    )
    creditor_name = models.CharField(_("pay back to"), max_length=70, blank=True)
    creditor_iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    creditor_bic = models.CharField(_("BIC"), max_length=11, blank=True)
    remittance = models.CharField(
        max_length=140, blank=True, verbose_name=_("remittance information")
    )
    provider_reference = models.CharField(
        max_length=80, blank=True, verbose_name=_("provider reference")
    )
    message = models.TextField(blank=True, verbose_name=_("message"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(default=timezone.now, verbose_name=_("requested at"))
    exported_at = models.DateTimeField(null=True, blank=True, verbose_name=_("exported at"))
    export_message_id = models.CharField(
        max_length=35, blank=True, verbose_name=_("message ID of the export")
    )
    export = models.ForeignKey(
        RefundExport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refunds",
        verbose_name=_("transfer file"),
    )

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment"], condition=Q(kind="fee"), name="refund_fee_once_per_payment"
            ),
            models.UniqueConstraint(
                fields=["statement_line"],
                condition=~Q(kind="fee"),
                name="refund_once_per_statement_line",
            ),
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="refund_amount_positive"),
        ]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")

    def __str__(self) -> str:
        return f"{self.payment.creditor_reference} {self.kind} {self.status}"


class SandboxTransaction(models.Model):
    """The GiroCheckout sandbox's own memory of a started transaction (demo and tests only)."""

    reference = models.CharField(max_length=40, unique=True)
    merchant_id = models.CharField(max_length=20)
    project_id = models.CharField(max_length=20)
    merchant_tx_id = models.CharField(max_length=255)
    amount = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    purpose = models.CharField(max_length=27)
    url_redirect = models.CharField(max_length=500)
    url_notify = models.CharField(max_length=500)
    kassenzeichen = models.CharField(max_length=40, blank=True)
    result = models.CharField(max_length=4, blank=True)
    backend_tx_id = models.CharField(max_length=40, blank=True)
    refunded_cents = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sandbox transaction")
        verbose_name_plural = _("sandbox transactions")

    def __str__(self) -> str:
        return self.reference


# What names a payer (core/purge.py): erased by payments/purge.py.
personal_data(PaymentEvent, "payload")
personal_data(StatementImport, "report")
personal_data(StatementLine, "debtor_name", "debtor_iban", "debtor_bic", "remittance")
personal_data(Refund, "creditor_name", "creditor_iban", "creditor_bic", "remittance", "message")
personal_data(RefundExport, "xml")
