"""The catalog's models, taken over from the `services` app they were split from. State only:
the tables (services_servicedefinition, services_serviceoffering) stay as they are, with
their rows, indexes and row-level security; services/0006 removes the models from the old
app's state."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("services", "0005_dashboard_tallies"),
        ("municipalities", "0002_row_level_security"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ServiceDefinition",
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
                        ("key", models.SlugField(max_length=80, verbose_name="key")),
                        ("version", models.PositiveIntegerField(default=1, verbose_name="version")),
                        (
                            "status",
                            models.CharField(
                                choices=[("draft", "Draft"), ("published", "Published")],
                                default="draft",
                                max_length=10,
                                verbose_name="status",
                            ),
                        ),
                        (
                            "leika",
                            models.CharField(blank=True, max_length=20, verbose_name="LeiKa key"),
                        ),
                        (
                            "name",
                            models.JSONField(
                                help_text='{"de": "…", "en": "…"}', verbose_name="name"
                            ),
                        ),
                        (
                            "description",
                            models.JSONField(blank=True, default=dict, verbose_name="description"),
                        ),
                        (
                            "offered_by",
                            models.CharField(
                                choices=[("towns", "Towns"), ("district", "District")],
                                default="towns",
                                max_length=10,
                                verbose_name="offered by",
                            ),
                        ),
                        (
                            "form",
                            models.JSONField(
                                help_text='{"steps": [{"title": …, "fields": […]}]}',
                                verbose_name="form",
                            ),
                        ),
                        (
                            "fee",
                            models.JSONField(
                                default=dict,
                                help_text='{"kind": "free"} | {"kind": "fixed", "cents": 900} | {"kind": "per_unit", "field": "anzahl", "cents": 1000}',
                                verbose_name="fee rule",
                            ),
                        ),
                        (
                            "fee_min_cents",
                            models.PositiveIntegerField(
                                default=0, verbose_name="lowest fee a town may set"
                            ),
                        ),
                        (
                            "fee_max_cents",
                            models.PositiveIntegerField(
                                default=0, verbose_name="highest fee a town may set"
                            ),
                        ),
                        (
                            "prepay",
                            models.BooleanField(
                                default=False, verbose_name="fee paid before review"
                            ),
                        ),
                        (
                            "sla_days",
                            models.PositiveIntegerField(
                                default=10, verbose_name="SLA in working days"
                            ),
                        ),
                        (
                            "retention_days",
                            models.PositiveIntegerField(
                                default=90, verbose_name="retention in days"
                            ),
                        ),
                        (
                            "process_steps",
                            models.JSONField(
                                blank=True, default=list, verbose_name="automatic process steps"
                            ),
                        ),
                        (
                            "agency_email",
                            models.EmailField(
                                blank=True,
                                max_length=254,
                                verbose_name="agency address for forwarding",
                            ),
                        ),
                        (
                            "published_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="published at"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "verbose_name": "service definition",
                        "verbose_name_plural": "service definitions",
                        "db_table": "services_servicedefinition",
                        "ordering": ["key", "-version"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("key", "version"), name="service_key_version_unique"
                            )
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="ServiceOffering",
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
                            "municipality",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="offerings",
                                to="municipalities.municipality",
                            ),
                        ),
                        ("service_key", models.SlugField(max_length=80, verbose_name="service")),
                        ("active", models.BooleanField(default=True, verbose_name="offered")),
                        (
                            "fee_override_cents",
                            models.PositiveIntegerField(
                                blank=True,
                                help_text="Within the bounds the district set for the service.",
                                null=True,
                                verbose_name="fee override in cents",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "service offering",
                        "verbose_name_plural": "service offerings",
                        "db_table": "services_serviceoffering",
                        "ordering": ["municipality__name", "service_key"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("municipality", "service_key"),
                                name="offering_unique_per_town",
                            )
                        ],
                        "indexes": [],
                    },
                ),
            ],
        ),
    ]
