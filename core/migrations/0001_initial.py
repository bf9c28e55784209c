"""The audit trail moves from the `portal` app (now the project only) to `core`, keeping its
table `portal_auditentry`: state only, the database does not change (portal/0005 removes
the model from portal's state)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("portal", "0004_remove_dashboard_warm_schedule"),
        ("municipalities", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEntry",
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
                            "at",
                            models.DateTimeField(
                                db_index=True,
                                default=django.utils.timezone.now,
                                verbose_name="when",
                            ),
                        ),
                        (
                            "actor_label",
                            models.CharField(blank=True, max_length=150, verbose_name="who"),
                        ),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("add", "Added"),
                                    ("change", "Changed"),
                                    ("delete", "Deleted"),
                                    ("publish", "Published"),
                                    ("export", "Exported"),
                                    ("purge", "Purged personal data"),
                                ],
                                max_length=10,
                                verbose_name="action",
                            ),
                        ),
                        (
                            "object_type",
                            models.CharField(max_length=100, verbose_name="object type"),
                        ),
                        (
                            "object_id",
                            models.CharField(blank=True, max_length=64, verbose_name="object id"),
                        ),
                        (
                            "object_repr",
                            models.CharField(blank=True, max_length=200, verbose_name="object"),
                        ),
                        (
                            "changes",
                            models.JSONField(blank=True, default=dict, verbose_name="changes"),
                        ),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="who",
                            ),
                        ),
                        (
                            "municipality",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="municipalities.municipality",
                                verbose_name="municipality",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "portal_auditentry",
                        "verbose_name": "audit entry",
                        "verbose_name_plural": "audit trail",
                        "ordering": ["-at", "-id"],
                    },
                ),
            ],
        ),
    ]
