"""Due dates in NRW working days, the clock pausing while the applicant is asked, and the
daily digest of overdue and due-soon cases. Dates are fixed by patching "today"."""

import datetime
from contextlib import contextmanager
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from cases.digest import digest_send
from cases.models import Actor, Case
from cases.queue import QueueFilters, queue_for
from cases.services import case_apply_action, case_payment_received
from municipalities.models import Membership, Municipality
from tests.factories import UserFactory

D = datetime.date


@contextmanager
def today(day: datetime.date):
    with mock.patch("django.utils.timezone.localdate", return_value=day):
        yield


@pytest.fixture
def kamen(demo):
    return get_user_model().objects.get(username="clerk-kamen")


# --- due dates --------------------------------------------------------------------------


def test_due_date_skips_weekend_and_easter_holidays(file_case):
    with today(D(2026, 4, 1)):  # Wednesday before Easter; gewerbe-anmelden: 5 working days
        case = file_case("boenen").case
    # Thu 2 (1), Good Friday, weekend, Easter Monday, Tue 7 (2) … Fri 10 (5).
    assert case.due_date == D(2026, 4, 10)


def test_due_date_skips_corpus_christi_which_is_a_holiday_in_nrw_only(file_case):
    with today(D(2026, 6, 3)):  # Wednesday; Thursday 4 June is Fronleichnam in NRW
        case = file_case("boenen").case
    assert case.due_date == D(2026, 6, 11)  # 10 June in a Land without the holiday


def test_clock_pauses_while_awaiting_the_applicant_and_resumes_after_the_answer(file_case, kamen):
    with today(D(2026, 3, 2)):  # Monday
        case = file_case("boenen").case
    assert case.due_date == D(2026, 3, 9)

    with today(D(2026, 3, 4)):  # Wednesday: the clerk asks
        case_apply_action(
            case=case, action="request_info", actor_kind=Actor.CLERK, actor=kamen, comment="?"
        )
    case.refresh_from_db()
    assert case.paused_at == D(2026, 3, 4)

    with today(D(2026, 3, 10)):  # past the original due date, but the clock is stopped
        case.refresh_from_db()
        assert not case.is_overdue
        assert case not in queue_for(kamen, filters=QueueFilters(overdue=True))

    with today(D(2026, 3, 9)):  # Monday: the applicant answers after 3 working days
        case_apply_action(case=case, action="respond", actor_kind=Actor.APPLICANT, comment="!")
    case.refresh_from_db()
    assert case.paused_at is None
    assert case.due_date == D(2026, 3, 12)  # 9 March + Thu 5, Fri 6, Mon 9

    with today(D(2026, 3, 13)):
        case.refresh_from_db()
        assert case.is_overdue
        assert case in queue_for(kamen, filters=QueueFilters(overdue=True))


def test_a_pause_over_a_holiday_counts_only_working_days(file_case, kamen):
    with today(D(2026, 3, 30)):  # Monday before Easter
        case = file_case("boenen").case
        case_apply_action(
            case=case, action="request_info", actor_kind=Actor.CLERK, actor=kamen, comment="?"
        )
    assert case.due_date == D(2026, 4, 8)  # Tue, Wed, Thu, (Good Fri), (Easter Mon), Tue, Wed

    with today(D(2026, 4, 7)):  # Tuesday after Easter: Tue 31, Wed 1, Thu 2, Tue 7 waited
        case_apply_action(case=case, action="respond", actor_kind=Actor.APPLICANT, comment="!")
    case.refresh_from_db()
    assert case.due_date == D(2026, 4, 14)


def test_prepaid_case_starts_its_clock_when_the_fee_arrives(demo):
    from cases.services import case_submit

    with today(D(2026, 3, 2)):
        case = case_submit(
            municipality=Municipality.objects.get(slug="kamen"),
            service_key="fundsache",
            applicant={"name": "Erika Muster", "email": "erika@example.org"},
            data={
                "art": "verloren",
                "datum": "2026-03-01",
                "fundort": "Markt",
                "gegenstand": "Schirm",
                "beschreibung": "rot",
            },
        ).case
    if case.status != Case.Status.AWAITING_PAYMENT:  # fundsache is free: make it prepaid
        Case.objects.filter(pk=case.pk).update(status=Case.Status.AWAITING_PAYMENT, due_date=None)
        case.refresh_from_db()

    with today(D(2026, 3, 5)):  # Thursday
        case_payment_received(case=case)
    case.refresh_from_db()
    assert case.status == Case.Status.IN_REVIEW
    assert case.due_date == D(2026, 3, 19)  # fundsache: 10 working days from the payment


# --- digest -----------------------------------------------------------------------------


def _set_due(case: Case, due: datetime.date) -> None:
    Case.objects.filter(pk=case.pk).update(due_date=due)


def test_digest_sends_each_authority_one_mail_with_overdue_and_due_soon_cases(file_case, kamen):
    monday = D(2026, 3, 2)
    overdue = file_case("boenen").case  # processed by Kamen
    soon = file_case("kamen").case
    later = file_case("kamen").case
    unna = file_case("unna").case
    _set_due(overdue, D(2026, 2, 27))
    _set_due(soon, D(2026, 3, 4))  # two working days ahead
    _set_due(later, D(2026, 3, 5))
    _set_due(unna, D(2026, 3, 2))  # due today: due soon
    second_clerk = UserFactory(username="clerk-kamen-2", email="second@kamen.example")
    Membership.objects.create(
        user=second_clerk, municipality=Municipality.objects.get(slug="kamen"), role="clerk"
    )
    mail.outbox.clear()

    with today(monday):
        sent = digest_send(today=monday)

    assert sent == 2
    by_recipients = {tuple(m.to): m for m in mail.outbox}
    kamen_mail = by_recipients[("clerk-kamen@kreisportal.example", "second@kamen.example")]
    assert overdue.reference in kamen_mail.body and soon.reference in kamen_mail.body
    assert later.reference not in kamen_mail.body
    assert unna.reference not in kamen_mail.body  # each authority sees only its own cases
    assert kamen_mail.body.index(overdue.reference) < kamen_mail.body.index(soon.reference)
    assert "1" in kamen_mail.subject
    unna_mail = by_recipients[("clerk-unna@kreisportal.example",)]
    assert unna.reference in unna_mail.body and overdue.reference not in unna_mail.body


def test_digest_sends_nothing_when_nothing_is_due(file_case):
    case = file_case("kamen").case
    _set_due(case, D(2026, 3, 20))
    mail.outbox.clear()

    assert digest_send(today=D(2026, 3, 2)) == 0
    assert mail.outbox == []


def test_digest_leaves_out_paused_and_closed_cases(file_case, kamen):
    paused = file_case("kamen").case
    closed = file_case("kamen").case
    case_apply_action(
        case=paused, action="request_info", actor_kind=Actor.CLERK, actor=kamen, comment="?"
    )
    case_apply_action(
        case=closed, action="reject", actor_kind=Actor.CLERK, actor=kamen, comment="x"
    )
    _set_due(paused, D(2026, 2, 1))
    _set_due(closed, D(2026, 2, 1))
    mail.outbox.clear()

    assert digest_send(today=D(2026, 3, 2)) == 0


def test_digest_rests_on_weekends_and_holidays(file_case):
    case = file_case("kamen").case
    _set_due(case, D(2026, 2, 1))
    mail.outbox.clear()

    assert digest_send(today=D(2026, 3, 7)) == 0  # Saturday
    assert digest_send(today=D(2026, 4, 6)) == 0  # Easter Monday
    assert digest_send(today=D(2026, 3, 9)) == 1


def test_digest_task_and_beat_schedule_exist(file_case, beat_schedule):
    from cases.tasks import send_due_digest

    mine = ["cases.send_due_digest", "cases.redispatch_steps"]
    assert beat_schedule.filter(task__in=mine).count() == 2
    tasks = dict(beat_schedule.values_list("task", "enabled"))
    assert tasks.get("cases.send_due_digest") is True
    assert tasks.get("cases.redispatch_steps") is True
    digest = beat_schedule.get(task="cases.send_due_digest")
    assert (digest.crontab.hour, digest.crontab.day_of_week) == ("6", "1-5")
    redispatch = beat_schedule.get(task="cases.redispatch_steps")
    assert (redispatch.interval.every, redispatch.interval.period) == (30, "seconds")
    case = file_case("kamen").case
    _set_due(case, D(2020, 1, 2))
    mail.outbox.clear()
    with today(D(2026, 3, 2)):
        assert send_due_digest() == 1
