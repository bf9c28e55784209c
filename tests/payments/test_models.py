"""What the database itself guarantees about payments, whatever the code above it does."""

import pytest
from django.db import IntegrityError, transaction
from stdnum import iso11649

from payments.models import Payment, PaymentEvent, StatementImport, StatementLine
from payments.selectors import payment_status_for
from payments.services.creation import payment_create

pytestmark = pytest.mark.django_db


def copy_of(payment, **changes):
    fields = {
        f.name: getattr(payment, f.name)
        for f in Payment._meta.fields
        if f.name not in ("id", "attempt", "creditor_reference", "merchant_tx_id")
    }
    fields.update(attempt=payment.attempt + 1, creditor_reference="RF18539007547034")
    fields.update(merchant_tx_id="other-tx", **changes)
    return Payment(**fields)


def test_database_allows_only_one_active_payment_per_case(case):
    first = payment_create(payable=case, provider_key="girocode").payment

    with pytest.raises(IntegrityError), transaction.atomic():
        copy_of(first, status="created").save()

    copy_of(first, status="cancelled").save()  # closed attempts are history, any number


def test_each_attempt_gets_its_own_valid_creditor_reference(case):
    first = payment_create(payable=case, provider_key="girocode").payment
    second = payment_create(payable=case, provider_key="counter").payment

    assert first.attempt == 1 and second.attempt == 2
    for payment in (first, second):
        assert iso11649.is_valid(payment.creditor_reference)
        assert len(payment.creditor_reference) <= 25
    assert first.creditor_reference != second.creditor_reference
    assert first.merchant_tx_id != second.merchant_tx_id


def test_payment_event_is_unique_per_provider_message(case):
    payment = payment_create(payable=case, provider_key="girocode").payment
    PaymentEvent.objects.create(
        payment=payment, provider="girocheckout", kind="notify", message_key="m"
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentEvent.objects.create(
            payment=payment, provider="girocheckout", kind="redirect", message_key="m"
        )


def test_statement_line_is_unique_per_account_and_bank_reference(town):
    first = StatementImport.objects.create(
        municipality=town, iban="DE81443500600000100404", file_sha256="a" * 64, kind="camt.053"
    )
    second = StatementImport.objects.create(
        municipality=town, iban="DE81443500600000100404", file_sha256="b" * 64, kind="camt.053"
    )
    line = {"iban": "DE81443500600000100404", "bank_reference": "R1", "amount_cents": 1}
    StatementLine.objects.create(
        statement=first, currency="EUR", credit=True, outcome="debit", **line
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        StatementLine.objects.create(
            statement=second, currency="EUR", credit=True, outcome="debit", **line
        )


def test_payee_snapshot_survives_a_change_of_the_towns_account(case, town):
    payment = payment_create(payable=case, provider_key="girocode").payment
    town.iban = "DE02120300000000202051"
    town.save()

    payment.refresh_from_db()
    assert payment.payee_iban == "DE81443500600000100404"
    assert payment.payee_name == "Stadt Bergkamen"


def test_payment_status_for_case_prefers_the_settled_payment(case, clerk):
    from payments.services.desk import payment_mark_paid_at_counter

    assert payment_status_for(case) is None
    payment_create(payable=case, provider_key="girocode")
    assert payment_status_for(case) == "pending"
    payment_mark_paid_at_counter(payable=case, receipt_number="K-1", user=clerk)
    assert payment_status_for(case) == "paid"
