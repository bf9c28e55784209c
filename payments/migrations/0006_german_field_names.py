"""German (and English) names of the fields the admin shows: its columns, filters ("Nach
Kommune", not "Nach municipality") and forms. Names only; no table changes."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("municipalities", "0002_row_level_security"),
        ("payments", "0005_refunds_of_surplus_and_stored_exports"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="payment",
            name="idempotency_key",
            field=models.CharField(blank=True, max_length=255, verbose_name="idempotency key"),
        ),
        migrations.AlterField(
            model_name="payment",
            name="request_hash",
            field=models.CharField(blank=True, max_length=64, verbose_name="request hash"),
        ),
        migrations.AlterField(
            model_name="payment",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
        migrations.AlterField(
            model_name="paymentevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("start", "Started"),
                    ("notify", "Provider notification"),
                    ("redirect", "Return from the checkout"),
                    ("status", "Status call"),
                    ("statement", "Bank statement line"),
                    ("counter", "Paid at the counter"),
                    ("refund", "Refund"),
                    ("superseded", "Superseded by another way of paying"),
                    ("expired", "Expired"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="paymentevent",
            name="message_key",
            field=models.CharField(max_length=200, verbose_name="message key"),
        ),
        migrations.AlterField(
            model_name="paymentevent",
            name="outcome",
            field=models.CharField(blank=True, max_length=200, verbose_name="outcome"),
        ),
        migrations.AlterField(
            model_name="paymentevent",
            name="payload",
            field=models.JSONField(blank=True, default=dict, verbose_name="payload"),
        ),
        migrations.AlterField(
            model_name="paymentevent",
            name="payment",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="events",
                to="payments.payment",
                verbose_name="payment",
            ),
        ),
        migrations.AlterField(
            model_name="paymentevent",
            name="provider",
            field=models.CharField(max_length=20, verbose_name="provider"),
        ),
        migrations.AlterField(
            model_name="paymentevent",
            name="received_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="received at"
            ),
        ),
        migrations.AlterField(
            model_name="refund",
            name="amount_cents",
            field=models.PositiveIntegerField(verbose_name="amount (cents)"),
        ),
        migrations.AlterField(
            model_name="refund",
            name="currency",
            field=models.CharField(default="EUR", max_length=3, verbose_name="currency"),
        ),
        migrations.AlterField(
            model_name="refund",
            name="export",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="refunds",
                to="payments.refundexport",
                verbose_name="transfer file",
            ),
        ),
        migrations.AlterField(
            model_name="refund",
            name="export_message_id",
            field=models.CharField(
                blank=True, max_length=35, verbose_name="message ID of the export"
            ),
        ),
        migrations.AlterField(
            model_name="refund",
            name="exported_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="exported at"),
        ),
        migrations.AlterField(
            model_name="refund",
            name="message",
            field=models.TextField(blank=True, verbose_name="message"),
        ),
        migrations.AlterField(
            model_name="refund",
            name="payment",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="refunds",
                to="payments.payment",
                verbose_name="payment",
            ),
        ),
        migrations.AlterField(
            model_name="refund",
            name="provider_reference",
            field=models.CharField(blank=True, max_length=80, verbose_name="provider reference"),
        ),
        migrations.AlterField(
            model_name="refund",
            name="remittance",
            field=models.CharField(
                blank=True, max_length=140, verbose_name="remittance information"
            ),
        ),
        migrations.AlterField(
            model_name="refund",
            name="requested_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="requested at"
            ),
        ),
        migrations.AlterField(
            model_name="refund",
            name="requested_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="requested by",
            ),
        ),
        migrations.AlterField(
            model_name="refund",
            name="statement_line",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="refunds",
                to="payments.statementline",
                verbose_name="statement line",
            ),
        ),
        migrations.AlterField(
            model_name="refund",
            name="status",
            field=models.CharField(
                choices=[
                    ("open", "Open: to be transferred"),
                    ("exported", "Exported for the treasury"),
                    ("done", "Done"),
                    ("failed", "Failed"),
                ],
                default="open",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="refundexport",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="created by",
            ),
        ),
        migrations.AlterField(
            model_name="refundexport",
            name="municipality",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="refund_exports",
                to="municipalities.municipality",
                verbose_name="municipality",
            ),
        ),
        migrations.AlterField(
            model_name="refundexport",
            name="xml",
            field=models.TextField(blank=True, verbose_name="XML file"),
        ),
        migrations.AlterField(
            model_name="statementimport",
            name="duplicates",
            field=models.PositiveIntegerField(default=0, verbose_name="seen before"),
        ),
        migrations.AlterField(
            model_name="statementimport",
            name="entries",
            field=models.PositiveIntegerField(default=0, verbose_name="entries"),
        ),
        migrations.AlterField(
            model_name="statementimport",
            name="file_sha256",
            field=models.CharField(max_length=64, unique=True, verbose_name="SHA-256 of the file"),
        ),
        migrations.AlterField(
            model_name="statementimport",
            name="filename",
            field=models.CharField(blank=True, max_length=255, verbose_name="file name"),
        ),
        migrations.AlterField(
            model_name="statementimport",
            name="kind",
            field=models.CharField(max_length=10, verbose_name="kind"),
        ),
        migrations.AlterField(
            model_name="statementimport",
            name="matched",
            field=models.PositiveIntegerField(default=0, verbose_name="booked"),
        ),
        migrations.AlterField(
            model_name="statementimport",
            name="message_id",
            field=models.CharField(blank=True, max_length=100, verbose_name="message ID"),
        ),
        migrations.AlterField(
            model_name="statementimport",
            name="municipality",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="statement_imports",
                to="municipalities.municipality",
                verbose_name="municipality",
            ),
        ),
        migrations.AlterField(
            model_name="statementimport",
            name="report",
            field=models.JSONField(blank=True, default=dict, verbose_name="report"),
        ),
        migrations.AlterField(
            model_name="statementimport",
            name="unmatched",
            field=models.PositiveIntegerField(default=0, verbose_name="to check"),
        ),
        migrations.AlterField(
            model_name="statementimport",
            name="uploaded_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="uploaded at"
            ),
        ),
        migrations.AlterField(
            model_name="statementimport",
            name="uploaded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="uploaded by",
            ),
        ),
        migrations.AlterField(
            model_name="statementimport",
            name="version",
            field=models.CharField(blank=True, max_length=10, verbose_name="version"),
        ),
        migrations.AlterField(
            model_name="statementline",
            name="amount_cents",
            field=models.PositiveBigIntegerField(verbose_name="amount (cents)"),
        ),
        migrations.AlterField(
            model_name="statementline",
            name="bank_reference",
            field=models.CharField(max_length=120, verbose_name="bank reference"),
        ),
        migrations.AlterField(
            model_name="statementline",
            name="booking_date",
            field=models.DateField(blank=True, null=True, verbose_name="booking date"),
        ),
        migrations.AlterField(
            model_name="statementline",
            name="credit",
            field=models.BooleanField(verbose_name="credit"),
        ),
        migrations.AlterField(
            model_name="statementline",
            name="creditor_references",
            field=models.JSONField(blank=True, default=list, verbose_name="creditor references"),
        ),
        migrations.AlterField(
            model_name="statementline",
            name="currency",
            field=models.CharField(max_length=3, verbose_name="currency"),
        ),
        migrations.AlterField(
            model_name="statementline",
            name="debtor_bic",
            field=models.CharField(blank=True, max_length=11, verbose_name="payer's BIC"),
        ),
        migrations.AlterField(
            model_name="statementline",
            name="debtor_iban",
            field=models.CharField(blank=True, max_length=34, verbose_name="payer's IBAN"),
        ),
        migrations.AlterField(
            model_name="statementline",
            name="debtor_name",
            field=models.CharField(blank=True, max_length=140, verbose_name="payer's name"),
        ),
        migrations.AlterField(
            model_name="statementline",
            name="iban",
            field=models.CharField(max_length=34, verbose_name="IBAN"),
        ),
        migrations.AlterField(
            model_name="statementline",
            name="outcome",
            field=models.CharField(
                choices=[
                    ("matched", "Matched"),
                    ("overpaid", "Over-payment"),
                    ("underpaid", "Under-payment"),
                    ("unknown_reference", "Unknown reference"),
                    ("no_reference", "No reference"),
                    ("already_paid", "Case already paid"),
                    ("wrong_currency", "Wrong currency"),
                    ("debit", "Debit"),
                    ("reversal", "Reversal"),
                ],
                max_length=20,
                verbose_name="outcome",
            ),
        ),
        migrations.AlterField(
            model_name="statementline",
            name="payment",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="statement_lines",
                to="payments.payment",
                verbose_name="payment",
            ),
        ),
        migrations.AlterField(
            model_name="statementline",
            name="remittance",
            field=models.TextField(blank=True, verbose_name="remittance information"),
        ),
        migrations.AlterField(
            model_name="statementline",
            name="reversal",
            field=models.BooleanField(default=False, verbose_name="reversal"),
        ),
        migrations.AlterField(
            model_name="statementline",
            name="statement",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="lines",
                to="payments.statementimport",
                verbose_name="statement",
            ),
        ),
        migrations.AlterField(
            model_name="statementline",
            name="value_date",
            field=models.DateField(blank=True, null=True, verbose_name="value date"),
        ),
    ]
