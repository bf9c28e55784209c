"""Two payment creations for one case at the same moment, on two database connections:
exactly one active payment remains, the other caller gets 409 (or the same attempt)."""

import threading

import pytest
from django.db import connection, connections

from payments.models import Payment
from payments.services.common import PaymentConflict
from payments.services.creation import payment_create
from tests.conftest import require_service


def race(case, providers):
    barrier = threading.Barrier(len(providers))
    results: list = []

    def create(provider):
        try:
            barrier.wait(timeout=10)
            created = payment_create(
                payable=case, provider_key=provider, base_url="http://testserver/"
            )
            results.append(("created", str(created.payment.pk)))
        except PaymentConflict:
            results.append(("conflict", None))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results.append(("error", repr(error)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create, args=(p,)) for p in providers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def check(case, results):
    assert [r for r in results if r[0] == "error"] == []
    active = Payment.objects.filter(payable=case, status__in=["created", "pending"])
    assert active.count() == 1
    winners = {pk for kind, pk in results if kind == "created"}
    # Whoever was answered with a payment got the one that is active now, or one that a
    # later choice (another way of paying) replaced.
    assert str(active.get().pk) in winners
    assert winners <= {
        str(pk) for pk in Payment.objects.filter(payable=case).values_list("pk", flat=True)
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("providers", [("girocode", "girocode"), ("girocode", "counter")])
def test_two_concurrent_creations_leave_one_active_payment(make_case, providers):
    case = make_case()

    results = race(case, providers)

    check(case, results)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_creations_on_postgresql(make_case):
    require_service(
        "PostgreSQL",
        connection.vendor == "postgresql",
        "the race needs row locks and a real second connection (DATABASE_URL=postgres://…)",
    )
    case = make_case()

    results = race(case, ("girocheckout", "girocode", "counter", "girocode"))

    check(case, results)
    # The creations queue up on the case's row lock: each later choice supersedes the one
    # before, so every attempt but the active one ends cancelled, none is left dangling.
    others = Payment.objects.filter(payable=case).exclude(status__in=["created", "pending"])
    assert set(others.values_list("status", flat=True)) <= {"cancelled"}
