"""Periodic payment jobs (beat rows in payments/migrations): thin, idempotent."""

from celery import shared_task

from payments import services


@shared_task(name="payments.expire_stale")
def expire_stale() -> int:
    return services.payment_expire_stale()


@shared_task(name="payments.send_reminders")
def send_reminders() -> int:
    return services.payment_send_reminders()
