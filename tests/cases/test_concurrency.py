"""Two clerks deciding one case at the same moment, each on its own database connection:
exactly one decision is written, the other clerk gets 409.

Needs PostgreSQL: row locks are what this proves, and SQLite has none (its path is covered
by the compare-and-set test in test_workflow.py). Skips locally without PostgreSQL, fails in
CI."""

import threading
import time
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from rest_framework.test import APIClient

from cases.models import Case, CaseEvent, CaseStep
from cases.services import _apply
from tests.conftest import require_service

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql():
    require_service(
        "PostgreSQL",
        connection.vendor == "postgresql",
        "row locks (SELECT … FOR UPDATE) exist only there; set DATABASE_URL",
    )


def decide_at_once(reference: str, actions: list[str]) -> tuple[list[int], list[dict]]:
    """Send the actions from one thread each, released together; returns their HTTP
    statuses and bodies."""
    clerk = get_user_model().objects.get(username="clerk-kamen")
    barrier = threading.Barrier(len(actions))
    statuses: list[int] = [0] * len(actions)
    bodies: list[dict] = [{} for _ in actions]

    def slow_apply(*args, **kwargs):
        # Hold the row lock a moment, so the other request surely arrives while it is held.
        time.sleep(0.3)
        return _apply(*args, **kwargs)

    def run(index: int, action: str) -> None:
        try:
            client = APIClient()
            client.force_authenticate(clerk)
            barrier.wait(timeout=10)
            response = client.post(
                f"/api/v1/cases/{reference}/actions/",
                {"action": action, "comment": f"{action} by thread {index}"},
                format="json",
            )
            statuses[index] = response.status_code
            bodies[index] = response.json()
        finally:
            connections.close_all()  # this thread's own connection

    with mock.patch("cases.services._apply", slow_apply):
        threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    return statuses, bodies


@pytest.mark.parametrize("actions", [["approve", "reject"], ["approve", "approve"]])
def test_two_simultaneous_decisions_exactly_one_wins(file_case, actions):
    case = file_case("boenen").case

    statuses, bodies = decide_at_once(case.reference, actions)

    assert sorted(statuses) == [200, 409]
    case.refresh_from_db()
    winner = actions[statuses.index(200)]
    assert case.status == {"approve": Case.Status.APPROVED, "reject": Case.Status.REJECTED}[winner]
    # The loser read "in_review" before the winner's lock; its 409 names the status now.
    assert bodies[statuses.index(409)]["status"] == case.status
    decisions = CaseEvent.objects.filter(case=case, type__in=["approve", "reject"])
    assert decisions.count() == 1
    # Only the winner's decision steps exist: no second decision e-mail or PDF.
    assert CaseStep.objects.filter(case=case, name="issue_document").count() == 1
