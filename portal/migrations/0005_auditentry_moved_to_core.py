"""The audit trail now belongs to the `core` app (core/0001 takes it over with the same
table); `portal` is the project and keeps no models. No table changes; the model's content
type moves to `core` with it."""

from django.db import migrations

from core.moves import content_types_follow


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_remove_dashboard_warm_schedule"),
        ("core", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEntry")],
        ),
        content_types_follow({"auditentry": "core"}, old_app="portal"),
    ]
