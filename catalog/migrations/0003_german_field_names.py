"""German (and English) names of the fields the admin shows: its columns, filters ("Nach
Kommune", not "Nach municipality") and forms. Names only; no table changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_service_synonyms_search"),
        ("municipalities", "0002_row_level_security"),
    ]

    operations = [
        migrations.AlterField(
            model_name="servicedefinition",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created at"),
        ),
        migrations.AlterField(
            model_name="serviceoffering",
            name="municipality",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="offerings",
                to="municipalities.municipality",
                verbose_name="municipality",
            ),
        ),
    ]
