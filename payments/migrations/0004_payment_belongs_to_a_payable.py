"""Payments know nothing about cases: a payment belongs to a *payable*, the model the project
names in PAYMENTS_PAYABLE_MODEL (payments/payables.py). State only: the column stays
`case_id` with its foreign key to services_case, so nothing in the database changes; the
field is now called `payable` and points at the case model's new home (cases/0001).

PaymentEvent.kind gains its choices (Python only)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0003_row_level_security"),
        migrations.swappable_dependency(settings.PAYMENTS_PAYABLE_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(
                    model_name="payment", name="payment_one_active_per_case"
                ),
                migrations.RemoveConstraint(model_name="payment", name="payment_attempt_unique"),
                migrations.RemoveConstraint(
                    model_name="payment", name="payment_idempotency_key_unique"
                ),
                migrations.RenameField(model_name="payment", old_name="case", new_name="payable"),
                migrations.AlterField(
                    model_name="payment",
                    name="payable",
                    field=models.ForeignKey(
                        db_column="case_id",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="payments",
                        to=settings.PAYMENTS_PAYABLE_MODEL,
                        verbose_name="case",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="payment",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("status__in", ["created", "pending"])),
                        fields=("payable",),
                        name="payment_one_active_per_case",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="payment",
                    constraint=models.UniqueConstraint(
                        fields=("payable", "attempt"), name="payment_attempt_unique"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="payment",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("idempotency_key", ""), _negated=True),
                        fields=("payable", "idempotency_key"),
                        name="payment_idempotency_key_unique",
                    ),
                ),
            ],
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
            ),
        ),
    ]
