"""Periodic jobs of the clerk side, as django_celery_beat rows (the beat scheduler reads the
database, so operators can change times in the admin without a deploy)."""

from django.db import migrations

REDISPATCH = "Re-dispatch pending process steps"
DIGEST = "Daily deadline digest to clerks"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")

    every_30s, _ = IntervalSchedule.objects.get_or_create(every=30, period="seconds")
    PeriodicTask.objects.update_or_create(
        name=REDISPATCH,
        defaults={"task": "services.redispatch_steps", "interval": every_30s, "crontab": None},
    )
    # Working days start early in a town hall: the digest is there before the first coffee.
    six_am, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="6",
        day_of_week="1-5",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/Berlin",
    )
    PeriodicTask.objects.update_or_create(
        name=DIGEST,
        defaults={"task": "services.send_due_digest", "crontab": six_am, "interval": None},
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[REDISPATCH, DIGEST]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0002_case_open_queue_idx"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
