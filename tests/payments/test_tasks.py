"""Beat jobs: unfinished online payments expire, open bank transfers get one reminder."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from payments import tasks
from payments.models import Payment, SandboxTransaction
from payments.services.creation import payment_create
from payments.services.periodic import payment_expire_stale, payment_send_reminders

pytestmark = pytest.mark.django_db


def age(payment, **delta):
    Payment.objects.filter(pk=payment.pk).update(
        created_at=timezone.now() - datetime.timedelta(**delta)
    )


def online(case):
    return payment_create(
        payable=case, provider_key="girocheckout", base_url="http://testserver/"
    ).payment


def test_unfinished_online_payment_expires_after_the_configured_time(make_case, settings):
    settings.PAYMENT_EXPIRY_MINUTES = 30
    stale_case, fresh_case = make_case(), make_case()
    stale, fresh = online(stale_case), online(fresh_case)
    age(stale, minutes=31)
    age(fresh, minutes=29)

    assert tasks.expire_stale.delay().get() == 1

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == "expired"
    assert fresh.status == "pending"
    assert stale_case.events.filter(comment__contains="nicht rechtzeitig").exists()
    # The citizen may choose again.
    assert payment_create(payable=stale_case, provider_key="girocode").created


def test_expiry_asks_the_provider_first_and_books_a_payment_whose_notify_was_lost(
    make_case, settings
):
    settings.PAYMENT_EXPIRY_MINUTES = 30
    case = make_case()
    payment = online(case)
    SandboxTransaction.objects.filter(reference=payment.provider_reference).update(
        result="4000", backend_tx_id="b-1"
    )
    age(payment, hours=2)

    assert payment_expire_stale() == 0

    payment.refresh_from_db()
    assert payment.status == "paid"
    case.refresh_from_db()
    assert case.status == "in_review"


def test_open_bank_transfer_gets_exactly_one_reminder(
    make_case, settings, django_capture_on_commit_callbacks
):
    settings.GIROCODE_REMINDER_DAYS = 5
    case = make_case()
    payment = payment_create(payable=case, provider_key="girocode").payment
    age(payment, days=4)
    assert payment_send_reminders() == 0
    age(payment, days=6)

    # The reminder is a process step of the case, sent once its row is committed.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_reminders.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_send_reminders() == 0

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lukasz@example.org"]
    assert case.reference in message.subject
    assert f"/track/{case.reference}/" in message.body
    assert "30,00" in message.body


def test_paid_transfers_get_no_reminder(make_case, settings, clerk):
    from payments.services.desk import payment_mark_paid_at_counter

    settings.GIROCODE_REMINDER_DAYS = 1
    case = make_case()
    payment = payment_create(payable=case, provider_key="girocode").payment
    payment_mark_paid_at_counter(payable=case, receipt_number="K-1", user=clerk)
    age(payment, days=3)

    assert payment_send_reminders() == 0
    assert mail.outbox == []


def test_beat_schedules_both_jobs(beat_schedule):
    tasks_by_name = dict(beat_schedule.values_list("task", "enabled"))
    assert tasks_by_name.get("payments.expire_stale") is True
    assert tasks_by_name.get("payments.send_reminders") is True


class RefusingMailServer:
    """An e-mail backend whose server refuses every message (as SMTP does when it is down)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        import smtplib

        raise smtplib.SMTPServerDisconnected("mail server down")


def test_a_reminder_the_mail_server_refused_is_sent_on_the_retry(
    make_case, settings, django_capture_on_commit_callbacks
):
    from cases.models import CaseStep
    from cases.steps import steps_redispatch

    settings.GIROCODE_REMINDER_DAYS = 1
    case = make_case()
    payment = payment_create(payable=case, provider_key="girocode").payment
    age(payment, days=2)
    settings.EMAIL_BACKEND = f"{__name__}.RefusingMailServer"

    with django_capture_on_commit_callbacks(execute=True):
        assert payment_send_reminders() == 1

    step = CaseStep.objects.get(case=case, name="remind_payment")
    assert step.status == "pending" and "mail server down" in step.last_error
    assert mail.outbox == []
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    CaseStep.objects.filter(pk=step.pk).update(next_attempt_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        steps_redispatch()

    step.refresh_from_db()
    assert step.status == "done"
    assert len(mail.outbox) == 1 and case.reference in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_send_reminders() == 0  # asked once, sent once
    assert len(mail.outbox) == 1
