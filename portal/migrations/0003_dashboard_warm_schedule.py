"""Precompute the district dashboard every five minutes (django_celery_beat)."""

from django.db import migrations

TASK_NAME = "District dashboard figures (every 5 minutes)"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _created = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={"task": "services.warm_dashboard", "interval": every, "enabled": True},
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_retention_purge_schedule")]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
