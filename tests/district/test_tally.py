"""The dashboard's running counts (district/tally.py): every case filed and every decision
made through the portal is counted in its own transaction, and a rebuild from the case table
arrives at the same rows."""

import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from cases.models import Actor, Case
from cases.services import case_apply_action
from district import statistics
from district.models import CaseTally, DecisionTally
from district.tally import tally_case_filed, tally_rebuild
from tests.conftest import require_service

pytestmark = pytest.mark.django_db


def tally_rows() -> tuple[list, list]:
    filed = CaseTally.objects.values_list(
        "month", "service_key", "municipality__slug", "processing_authority__slug", "cases"
    )
    decided = DecisionTally.objects.values_list(
        "month",
        "service_key",
        "municipality__slug",
        "processing_authority__slug",
        "days",
        "decided",
        "with_due_date",
        "within_due_date",
    )
    return sorted(filed), sorted(decided)


def decide(case: Case, action: str) -> None:
    clerk = get_user_model().objects.get(username="clerk-kamen")
    case_apply_action(
        case=case, action=action, actor_kind=Actor.CLERK, actor=clerk, comment="Entschieden."
    )


def test_cases_filed_and_decided_through_the_portal_are_counted_at_once(file_case):
    approved, rejected, withdrawn, waiting = (file_case("boenen").case for _ in range(4))
    decide(approved, "approve")
    decide(rejected, "reject")
    case_apply_action(case=withdrawn, action="withdraw", actor_kind=Actor.APPLICANT)

    filed, decided = tally_rows()

    month = timezone.localdate().replace(day=1)
    # Filed in Bönen, processed by Kamen (the demo's delegation of gewerbe-anmelden).
    assert filed == [(month, "gewerbe-anmelden", "boenen", "kamen", 4)]
    # Decided today: 0 days, by the due date; the withdrawal and the open case are no
    # decisions.
    assert decided == [(month, "gewerbe-anmelden", "boenen", "kamen", 0, 2, 2, 2)]
    assert waiting.status == Case.Status.IN_REVIEW


def test_a_rebuild_from_the_cases_arrives_at_the_same_counts(file_case):
    for town, service in [
        ("boenen", "gewerbe-anmelden"),
        ("boenen", "gewerbe-anmelden"),
        ("kamen", "fundsache"),
        ("unna", "fundsache"),
    ]:
        case = file_case(town, service).case
        if town == "boenen":
            decide(case, "approve")
    counted = tally_rows()
    CaseTally.objects.all().delete()
    DecisionTally.objects.all().delete()

    rows = tally_rebuild()

    assert tally_rows() == counted
    assert rows == (3, 1)


def test_the_dashboard_shows_a_decision_made_a_moment_ago(file_case):
    case = file_case("boenen").case
    decide(case, "approve")
    kamen = get_user_model().objects.get(username="clerk-kamen").memberships.get().municipality
    scope = statistics.DashboardScope(
        label="Kamen", municipality_ids=frozenset({kamen.pk}), district_wide=False
    )

    rows = statistics.processing_times(scope=scope, period=statistics.Period())

    assert [(r.service_key, r.completed, r.median_days, r.within_sla) for r in rows] == [
        ("gewerbe-anmelden", 1, 0.0, 1),
        ("", 1, 0.0, 1),
    ]


def test_rebuild_command_reports_what_it_counted(file_case, capsys):
    file_case("boenen")

    call_command("tally_rebuild")

    assert "1 month rows, 0 decision rows" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_two_first_counts_of_a_month_at_once_both_count(file_case):
    require_service(
        "PostgreSQL",
        connection.vendor == "postgresql",
        "two writers racing for a new tally row need row locks; set DATABASE_URL",
    )
    case = Case.objects.select_related("service").get(pk=file_case("boenen").case.pk)
    CaseTally.objects.all().delete()
    first_counted, second_started = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                tally_case_filed(case=case)  # inserts the month's row, not yet committed
                first_counted.set()
                second_started.wait(timeout=10)
                time.sleep(0.3)  # the second now waits on the unique index
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def second() -> None:
        try:
            first_counted.wait(timeout=10)
            second_started.set()
            with transaction.atomic():
                tally_case_filed(case=case)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert list(CaseTally.objects.values_list("cases", flat=True)) == [2]
