"""Periodic payment jobs (CELERY_BEAT_SCHEDULE in portal/settings.py): thin, idempotent."""

from celery import shared_task

from payments.services import periodic


@shared_task(name="payments.expire_stale")
def expire_stale() -> int:
    return periodic.payment_expire_stale()


@shared_task(name="payments.send_reminders")
def send_reminders() -> int:
    return periodic.payment_send_reminders()
