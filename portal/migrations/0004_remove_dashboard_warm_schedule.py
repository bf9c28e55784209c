"""The dashboard reads running tallies now (district/tally.py) and needs no precomputation:
the five-minute beat entry of 0003 goes."""

from django.db import migrations

TASK_NAME = "District dashboard figures (every 5 minutes)"


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task="services.warm_dashboard").delete()


def restore_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _created = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={"task": "services.warm_dashboard", "interval": every, "enabled": True},
    )


class Migration(migrations.Migration):
    dependencies = [("portal", "0003_dashboard_warm_schedule")]

    operations = [migrations.RunPython(remove_schedule, restore_schedule)]
