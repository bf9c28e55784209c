"""Paying at the town hall: the clerk records it with the till's receipt number."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from cases.models import Case
from municipalities.models import Membership
from payments.models import Payment
from payments.services.creation import payment_create
from tests.factories import DelegationFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def mark(client, case, receipt="K-2026-0042", next_url="/workspace/"):
    return client.post(
        f"/payments/cases/{case.reference}/counter/",
        {"receipt_number": receipt, "next": next_url},
    )


def test_clerk_marks_the_fee_paid_at_the_counter(client, case, clerk):
    payment_create(payable=case, provider_key="counter")
    client.force_login(clerk)

    response = mark(client, case)

    assert response.status_code == 302
    assert response["Location"] == "/workspace/"
    payment = Payment.objects.get(payable=case)
    assert payment.status == "paid"
    assert payment.receipt_number == "K-2026-0042"
    assert payment.marked_by == clerk
    assert payment.method == "counter"
    case.refresh_from_db()
    assert case.status == Case.Status.IN_REVIEW
    assert case.events.filter(type="payment_received", comment__contains="K-2026-0042").exists()


def test_counter_payment_cancels_an_open_bank_transfer_attempt(client, case, clerk):
    girocode = payment_create(payable=case, provider_key="girocode").payment
    client.force_login(clerk)

    mark(client, case)

    girocode.refresh_from_db()
    assert girocode.status == "cancelled"
    assert Payment.objects.get(payable=case, provider="counter").status == "paid"


def test_receipt_number_is_required(client, case, clerk):
    client.force_login(clerk)

    mark(client, case, receipt="  ")

    assert not Payment.objects.filter(status="paid").exists()
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_PAYMENT


def test_a_paid_case_cannot_be_paid_at_the_counter_again(client, case, clerk):
    client.force_login(clerk)
    mark(client, case)

    mark(client, case, receipt="K-2")

    assert Payment.objects.filter(payable=case).count() == 1


def test_clerks_of_other_towns_get_404(client, case, stranger):
    client.force_login(stranger)

    assert mark(client, case).status_code == 404
    assert not Payment.objects.exists()


def test_clerk_of_the_payee_town_may_take_the_fee_of_a_delegated_case(
    client, make_case, town, other_town, service
):
    DelegationFactory(service_key=service.key, from_municipality=town, to_municipality=other_town)
    delegated = make_case()
    processing_clerk = MembershipFactory(municipality=other_town, role=Membership.Role.CLERK).user
    payee_clerk = MembershipFactory(municipality=town, role=Membership.Role.CLERK).user

    client.force_login(payee_clerk)
    assert mark(client, delegated).status_code == 302
    assert Payment.objects.get(payable=delegated).status == "paid"

    client.force_login(processing_clerk)
    assert mark(client, delegated, receipt="K-3").status_code == 302  # visible, but paid already
    assert Payment.objects.filter(payable=delegated).count() == 1


def test_unsafe_next_address_falls_back_to_home(client, case, clerk):
    client.force_login(clerk)

    response = mark(client, case, next_url="https://evil.example/")

    assert response["Location"] == "/"


def test_api_marks_paid_at_counter(api, case, clerk):
    api.force_authenticate(clerk)

    response = api.post(
        f"/api/v1/cases/{case.reference}/payments/counter/",
        {"receipt_number": "Q-9"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["status"] == "paid"
    assert response.json()["receipt_number"] == "Q-9"


def test_workspace_panel_offers_the_counter_form_to_the_clerk(
    case, clerk, django_assert_max_num_queries
):
    payment_create(payable=case, provider_key="girocode")
    request = RequestFactory().get(f"/workspace/cases/{case.reference}/")
    request.user = clerk
    template = Template("{% load workspace %}{% workspace_payments case %}")

    with django_assert_max_num_queries(8):
        html = template.render(Context({"case": case, "request": request}))

    assert 'name="receipt_number"' in html
    assert case.reference.replace("-", "") in html.replace(" ", "")
    assert "Refund" not in html


def test_workspace_case_page_shows_payments_and_marks_paid_at_the_counter(client, case, clerk):
    payment_create(payable=case, provider_key="girocode")
    client.force_login(clerk)
    page = f"/workspace/cases/{case.reference}/"

    html = client.get(page).content.decode()

    assert 'id="payments"' in html
    assert f'action="/payments/cases/{case.reference}/counter/"' in html
    response = client.post(
        f"/payments/cases/{case.reference}/counter/", {"receipt_number": "K-7", "next": page}
    )
    assert response["Location"] == page
    html = client.get(page).content.decode()
    assert "K-7" in html
    assert 'name="receipt_number"' not in html
