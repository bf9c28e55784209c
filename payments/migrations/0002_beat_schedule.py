"""Periodic payment jobs as django_celery_beat rows (operators can change the times in
the admin without a deploy): expire unfinished GiroCheckout attempts, remind citizens of
open GiroCode transfers. How long counts as stale is a setting, not the schedule."""

from django.db import migrations

EXPIRE = "Expire unfinished online payments"
REMIND = "Remind citizens of open bank transfers"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")

    every_5m, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=EXPIRE,
        defaults={"task": "payments.expire_stale", "interval": every_5m, "crontab": None},
    )
    # Mid-morning: the reminder arrives when people read mail, not at night.
    ten_am, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="10",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/Berlin",
    )
    PeriodicTask.objects.update_or_create(
        name=REMIND,
        defaults={"task": "payments.send_reminders", "crontab": ten_am, "interval": None},
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[EXPIRE, REMIND]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
