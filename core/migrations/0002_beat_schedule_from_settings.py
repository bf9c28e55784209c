"""The periodic jobs are now CELERY_BEAT_SCHEDULE (portal/settings.py), which beat writes into
django_celery_beat's tables at every start. The rows earlier data migrations wrote go (some
name tasks of the retired `services` app); beat writes them again from the settings."""

from django.db import migrations

WRITTEN_BY_MIGRATIONS = (
    "Re-dispatch pending process steps",  # services/0003
    "Daily deadline digest to clerks",  # services/0003
    "Expire unfinished online payments",  # payments/0002
    "Remind citizens of open bank transfers",  # payments/0002
    "Retention purge (daily)",  # portal/0002
    "District dashboard figures (every 5 minutes)",  # portal/0003, gone since portal/0004
)


def remove_rows(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=WRITTEN_BY_MIGRATIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("services", "0003_beat_schedule"),
        ("payments", "0002_beat_schedule"),
        ("portal", "0004_remove_dashboard_warm_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(remove_rows, migrations.RunPython.noop)]
