"""The dashboard's tallies, taken over from the `services` app they were split from. State
only: the tables (services_casetally, services_decisiontally) stay as they are, with their
rows and row-level security; services/0006 removes the models from the old app's state."""

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
                    name="CaseTally",
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
                        ("month", models.DateField()),
                        ("service_key", models.SlugField(db_index=False, max_length=80)),
                        (
                            "municipality",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="municipalities.municipality",
                            ),
                        ),
                        (
                            "processing_authority",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="municipalities.municipality",
                            ),
                        ),
                        ("cases", models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        "db_table": "services_casetally",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=(
                                    "month",
                                    "service_key",
                                    "municipality",
                                    "processing_authority",
                                ),
                                name="case_tally_unique",
                            )
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="DecisionTally",
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
                        ("month", models.DateField()),
                        ("service_key", models.SlugField(db_index=False, max_length=80)),
                        (
                            "municipality",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="municipalities.municipality",
                            ),
                        ),
                        (
                            "processing_authority",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="municipalities.municipality",
                            ),
                        ),
                        ("days", models.PositiveIntegerField()),
                        ("decided", models.PositiveIntegerField(default=0)),
                        ("with_due_date", models.PositiveIntegerField(default=0)),
                        ("within_due_date", models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        "db_table": "services_decisiontally",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=(
                                    "month",
                                    "service_key",
                                    "municipality",
                                    "processing_authority",
                                    "days",
                                ),
                                name="decision_tally_unique",
                            )
                        ],
                        "indexes": [],
                    },
                ),
            ],
        ),
    ]
