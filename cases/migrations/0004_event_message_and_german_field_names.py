"""A timeline note of the portal keeps its msgid and parameters (`message`), so each reader
sees it in their language (core/notes.py); German (and English) names of the fields the
admin shows (columns, filters, forms). No other table changes."""

import cases.models
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_attachment_quarantine"),
        ("catalog", "0002_service_synonyms_search"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="message",
            field=models.JSONField(blank=True, default=dict, verbose_name="message data"),
        ),
        migrations.AlterField(
            model_name="attachment",
            name="case",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="attachments",
                to="cases.case",
                verbose_name="case",
            ),
        ),
        migrations.AlterField(
            model_name="attachment",
            name="content_type",
            field=models.CharField(max_length=100, verbose_name="content type"),
        ),
        migrations.AlterField(
            model_name="attachment",
            name="field_name",
            field=models.CharField(blank=True, max_length=80, verbose_name="form field"),
        ),
        migrations.AlterField(
            model_name="attachment",
            name="file",
            field=models.FileField(
                max_length=300, upload_to=cases.models.attachment_path, verbose_name="file"
            ),
        ),
        migrations.AlterField(
            model_name="attachment",
            name="kind",
            field=models.CharField(
                choices=[
                    ("upload", "Upload by the applicant"),
                    ("document", "Document issued by the authority"),
                ],
                default="upload",
                max_length=10,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="attachment",
            name="original_name",
            field=models.CharField(max_length=255, verbose_name="file name"),
        ),
        migrations.AlterField(
            model_name="attachment",
            name="public",
            field=models.BooleanField(
                default=True,
                help_text="Visible to the applicant on the tracking page.",
                verbose_name="visible to the applicant",
            ),
        ),
        migrations.AlterField(
            model_name="attachment",
            name="sha256",
            field=models.CharField(max_length=64, verbose_name="SHA-256"),
        ),
        migrations.AlterField(
            model_name="attachment",
            name="size",
            field=models.PositiveIntegerField(verbose_name="size (bytes)"),
        ),
        migrations.AlterField(
            model_name="attachment",
            name="uploaded_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="uploaded at"
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="access_token_hash",
            field=models.CharField(max_length=64, verbose_name="access token hash"),
        ),
        migrations.AlterField(
            model_name="case",
            name="assigned_to",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="assigned_cases",
                to=settings.AUTH_USER_MODEL,
                verbose_name="assigned to",
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="service",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="catalog.servicedefinition",
                verbose_name="service version",
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="token_salt",
            field=models.CharField(max_length=32, verbose_name="token salt"),
        ),
        migrations.AlterField(
            model_name="case",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                to=settings.AUTH_USER_MODEL,
                verbose_name="user",
            ),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="actor_label",
            field=models.CharField(blank=True, max_length=40, verbose_name="actor"),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="time"),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="case",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="events",
                to="cases.case",
                verbose_name="case",
            ),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="comment",
            field=models.TextField(blank=True, verbose_name="comment"),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="from_status",
            field=models.CharField(blank=True, max_length=20, verbose_name="previous status"),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="to_status",
            field=models.CharField(blank=True, max_length=20, verbose_name="new status"),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="type",
            field=models.CharField(
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
                    ("file_quarantined", "File quarantined by the virus check"),
                ],
                max_length=40,
                verbose_name="type",
            ),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="visibility",
            field=models.CharField(
                choices=[("public", "Public"), ("internal", "Internal")],
                default="public",
                max_length=10,
                verbose_name="visibility",
            ),
        ),
        migrations.AlterField(
            model_name="casestep",
            name="attempts",
            field=models.PositiveIntegerField(default=0, verbose_name="attempts"),
        ),
        migrations.AlterField(
            model_name="casestep",
            name="case",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="steps",
                to="cases.case",
                verbose_name="case",
            ),
        ),
        migrations.AlterField(
            model_name="casestep",
            name="created_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="created at"
            ),
        ),
        migrations.AlterField(
            model_name="casestep",
            name="done_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="done at"),
        ),
        migrations.AlterField(
            model_name="casestep",
            name="key",
            field=models.CharField(max_length=80, verbose_name="key"),
        ),
        migrations.AlterField(
            model_name="casestep",
            name="last_error",
            field=models.TextField(blank=True, verbose_name="last error"),
        ),
        migrations.AlterField(
            model_name="casestep",
            name="name",
            field=models.CharField(max_length=40, verbose_name="step"),
        ),
        migrations.AlterField(
            model_name="casestep",
            name="next_attempt_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="next attempt at"
            ),
        ),
        migrations.AlterField(
            model_name="casestep",
            name="payload",
            field=models.JSONField(blank=True, default=dict, verbose_name="payload"),
        ),
        migrations.AlterField(
            model_name="casestep",
            name="status",
            field=models.CharField(
                choices=[("pending", "Pending"), ("done", "Done"), ("failed", "Failed")],
                default="pending",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="outboundemail",
            name="purpose",
            field=models.CharField(max_length=40, verbose_name="purpose"),
        ),
        migrations.AlterField(
            model_name="outboundemail",
            name="sent_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="sent at"),
        ),
        migrations.AlterField(
            model_name="outboundemail",
            name="step",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="emails",
                to="cases.casestep",
                verbose_name="process step",
            ),
        ),
        migrations.AlterField(
            model_name="outboundemail",
            name="subject",
            field=models.CharField(max_length=255, verbose_name="subject"),
        ),
        migrations.AlterField(
            model_name="outboundemail",
            name="to",
            field=models.JSONField(default=list, verbose_name="recipients"),
        ),
    ]
