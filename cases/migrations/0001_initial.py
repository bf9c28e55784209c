"""The case models, taken over from the `services` app they were split from. State only: the
tables (services_case, services_caseevent, services_attachment, services_casestep,
services_outboundemail) stay as they are, with their rows, indexes and row-level security;
services/0006 removes the models from the old app's state.

The state is today's (choices of event types, no `running` step status, no `receipt`
attachment kind): choices live in Python only, so the tables need no change for them."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import cases.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("services", "0005_dashboard_tallies"),
        ("catalog", "0001_initial"),
        ("municipalities", "0002_row_level_security"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Case",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "reference",
                            models.CharField(max_length=20, unique=True, verbose_name="reference"),
                        ),
                        ("access_token_hash", models.CharField(max_length=64)),
                        ("token_salt", models.CharField(max_length=32)),
                        (
                            "municipality",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="filed_cases",
                                to="municipalities.municipality",
                                verbose_name="filing municipality",
                            ),
                        ),
                        (
                            "processing_authority",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="processed_cases",
                                to="municipalities.municipality",
                                verbose_name="processing authority",
                            ),
                        ),
                        (
                            "service",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="cases",
                                to="catalog.servicedefinition",
                            ),
                        ),
                        (
                            "applicant_name",
                            models.CharField(max_length=200, verbose_name="applicant name"),
                        ),
                        (
                            "applicant_email",
                            models.EmailField(max_length=254, verbose_name="applicant e-mail"),
                        ),
                        (
                            "language",
                            models.CharField(default="de", max_length=5, verbose_name="language"),
                        ),
                        ("data", models.JSONField(default=dict, verbose_name="answers")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("submitted", "Submitted"),
                                    ("awaiting_payment", "Awaiting payment"),
                                    ("in_review", "In review"),
                                    ("awaiting_applicant", "Awaiting answer"),
                                    ("approved", "Approved"),
                                    ("rejected", "Rejected"),
                                    ("withdrawn", "Withdrawn"),
                                ],
                                default="submitted",
                                max_length=20,
                                verbose_name="status",
                            ),
                        ),
                        (
                            "fee_cents",
                            models.PositiveIntegerField(default=0, verbose_name="fee in cents"),
                        ),
                        (
                            "assigned_to",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="assigned_cases",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "due_date",
                            models.DateField(blank=True, null=True, verbose_name="due date"),
                        ),
                        (
                            "paused_at",
                            models.DateField(
                                blank=True, null=True, verbose_name="clock paused since"
                            ),
                        ),
                        (
                            "submitted_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="submitted at"
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "closed_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="closed at"),
                        ),
                        (
                            "purged_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="personal data purged at"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "case",
                        "verbose_name_plural": "cases",
                        "db_table": "services_case",
                        "ordering": ["due_date", "id"],
                        "indexes": [
                            models.Index(
                                fields=["processing_authority", "due_date", "id"],
                                name="case_queue_idx",
                            ),
                            models.Index(
                                fields=["processing_authority", "status", "due_date", "id"],
                                name="case_queue_status_idx",
                            ),
                            models.Index(
                                condition=models.Q(
                                    (
                                        "status__in",
                                        [
                                            "submitted",
                                            "awaiting_payment",
                                            "in_review",
                                            "awaiting_applicant",
                                        ],
                                    )
                                ),
                                fields=["processing_authority", "due_date", "id"],
                                name="case_open_queue_idx",
                            ),
                            models.Index(
                                fields=["municipality", "submitted_at"], name="case_filed_idx"
                            ),
                            models.Index(fields=["status", "closed_at"], name="case_closed_idx"),
                        ],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="CaseEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "case",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="events",
                                to="cases.case",
                            ),
                        ),
                        ("at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        ("actor_label", models.CharField(blank=True, max_length=40)),
                        (
                            "type",
                            models.CharField(
                                choices=[
                                    ("submitted", "Request submitted"),
                                    ("status", "Status changed"),
                                    ("claim", "Claim"),
                                    ("unassign", "Release"),
                                    ("note", "Add internal note"),
                                    ("request_info", "Request information"),
                                    ("approve", "Approve"),
                                    ("reject", "Reject"),
                                    ("respond", "Send answer"),
                                    ("withdraw", "Withdraw request"),
                                    ("payment_received", "Payment received"),
                                    ("payment", "Payment"),
                                    ("payment_duplicate", "Fee paid twice"),
                                    ("check_completeness", "Completeness check"),
                                    ("forward_to_agency", "Forwarded to the agency"),
                                    ("personal_data_purged", "Personal data purged"),
                                ],
                                max_length=40,
                            ),
                        ),
                        ("from_status", models.CharField(blank=True, max_length=20)),
                        ("to_status", models.CharField(blank=True, max_length=20)),
                        ("comment", models.TextField(blank=True)),
                        (
                            "visibility",
                            models.CharField(
                                choices=[("public", "Public"), ("internal", "Internal")],
                                default="public",
                                max_length=10,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "case event",
                        "verbose_name_plural": "case events",
                        "db_table": "services_caseevent",
                        "ordering": ["at", "id"],
                        "indexes": [
                            models.Index(
                                fields=["case", "at"], name="services_ca_case_id_c2628e_idx"
                            )
                        ],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="Attachment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "case",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attachments",
                                to="cases.case",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("upload", "Upload by the applicant"),
                                    ("document", "Document issued by the authority"),
                                ],
                                default="upload",
                                max_length=10,
                            ),
                        ),
                        ("field_name", models.CharField(blank=True, max_length=80)),
                        (
                            "file",
                            models.FileField(
                                max_length=300, upload_to=cases.models.attachment_path
                            ),
                        ),
                        ("original_name", models.CharField(max_length=255)),
                        ("content_type", models.CharField(max_length=100)),
                        ("size", models.PositiveIntegerField()),
                        ("sha256", models.CharField(max_length=64)),
                        (
                            "public",
                            models.BooleanField(
                                default=True,
                                help_text="Visible to the applicant on the tracking page.",
                            ),
                        ),
                        ("uploaded_at", models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        "verbose_name": "attachment",
                        "verbose_name_plural": "attachments",
                        "db_table": "services_attachment",
                        "ordering": ["uploaded_at", "id"],
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="CaseStep",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "case",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="steps",
                                to="cases.case",
                            ),
                        ),
                        ("name", models.CharField(max_length=40)),
                        ("key", models.CharField(max_length=80)),
                        ("payload", models.JSONField(blank=True, default=dict)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Pending"),
                                    ("done", "Done"),
                                    ("failed", "Failed"),
                                ],
                                default="pending",
                                max_length=10,
                            ),
                        ),
                        ("attempts", models.PositiveIntegerField(default=0)),
                        ("last_error", models.TextField(blank=True)),
                        (
                            "next_attempt_at",
                            models.DateTimeField(default=django.utils.timezone.now),
                        ),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("done_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        "verbose_name": "process step",
                        "verbose_name_plural": "process steps",
                        "db_table": "services_casestep",
                        "ordering": ["created_at", "id"],
                        "indexes": [
                            models.Index(fields=["status", "next_attempt_at"], name="step_due_idx")
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("case", "key"), name="case_step_unique_key"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="OutboundEmail",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "step",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="emails",
                                to="cases.casestep",
                            ),
                        ),
                        ("purpose", models.CharField(max_length=40)),
                        ("to", models.JSONField(default=list)),
                        ("subject", models.CharField(max_length=255)),
                        ("sent_at", models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        "db_table": "services_outboundemail",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("step", "purpose"), name="email_once_per_step"
                            )
                        ],
                        "indexes": [],
                    },
                ),
            ],
        ),
    ]
