"""Payments API (docs/api.md, Payments): creating payments, reading them, who may do either."""

import pytest
from stdnum import iso11649

from municipalities.models import Membership
from payments.models import Payment
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def create(api, case, provider="girocode", token=None, **headers):
    token = case.access_token if token is None else token
    return api.post(
        f"/api/v1/cases/{case.reference}/payments/?access_token={token}",
        {"provider": provider},
        format="json",
        **headers,
    )


def test_citizen_gets_a_girocode_with_the_exact_epc_payload_for_30_euros(api, case):
    response = create(api, case)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["provider"] == "girocode"
    assert body["status"] == "pending"
    assert body["amount_cents"] == 3000
    assert body["currency"] == "EUR"
    reference = body["creditor_reference"]
    assert iso11649.is_valid(reference)
    assert reference[4:] == case.reference.replace("-", "") + "01"
    lines = body["epc_payload"].split("\n")
    assert lines[0] == "BCD"
    assert lines[1] == "002"
    assert lines[2] == "1"
    assert lines[3] == "SCT"
    assert lines[4] == "WELADED1UNN"
    assert lines[5] == "Stadt Bergkamen"
    assert lines[6] == "DE81443500600000100404"
    assert lines[7] == "EUR30.00"
    assert lines[8] == ""  # no purpose code
    assert lines[9] == reference
    assert lines[10] == ""  # structured reference, so no unstructured text
    assert lines[11].startswith(case.reference)
    assert len(lines) == 12
    assert len(body["epc_payload"].encode()) <= 331
    assert body["payee"] == {
        "name": "Stadt Bergkamen",
        "iban": "DE81443500600000100404",
        "bic": "WELADED1UNN",
        "municipality": "bergkamen",
    }


def test_the_qr_code_is_an_svg_of_the_payload(api, client, case):
    body = create(api, case).json()

    response = client.get(body["qr_svg_url"])

    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in response.content


def test_girocheckout_payment_answers_with_the_sandbox_checkout_address(api, case):
    response = create(api, case, provider="girocheckout")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending"
    assert "/payments/sandbox/girocheckout/" in body["redirect_url"]


def test_a_case_that_owes_nothing_refuses_payments(api, make_case):
    free = make_case(fee_cents=0)

    response = create(api, free)

    assert response.status_code == 409
    assert not Payment.objects.exists()


def test_a_paid_case_refuses_a_second_payment(api, case, clerk):
    api.force_authenticate(clerk)
    assert (
        api.post(
            f"/api/v1/cases/{case.reference}/payments/counter/",
            {"receipt_number": "Q-1"},
            format="json",
        ).status_code
        == 201
    )
    api.force_authenticate(None)

    response = create(api, case, provider="girocheckout")

    assert response.status_code == 409
    assert Payment.objects.filter(payable=case).count() == 1


def test_idempotency_key_with_the_same_body_gives_the_original_answer(api, case):
    first = create(api, case, HTTP_IDEMPOTENCY_KEY="k-1")
    again = create(api, case, HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["creditor_reference"] == first.json()["creditor_reference"]
    assert Payment.objects.filter(payable=case).count() == 1


def test_idempotency_key_with_another_body_is_a_conflict(api, case):
    create(api, case, HTTP_IDEMPOTENCY_KEY="k-2")

    response = create(api, case, provider="counter", HTTP_IDEMPOTENCY_KEY="k-2")

    assert response.status_code == 409
    assert Payment.objects.filter(payable=case).count() == 1


def test_choosing_another_way_cancels_the_open_attempt(api, case):
    first = create(api, case).json()

    second = create(api, case, provider="counter")

    assert second.status_code == 201
    assert Payment.objects.get(pk=first["id"]).status == "cancelled"
    assert Payment.objects.filter(payable=case, status__in=["created", "pending"]).count() == 1


def test_unknown_or_not_offered_provider_is_a_validation_error(api, case, town):
    assert create(api, case, provider="bitcoin").status_code == 400
    town.payment_providers = ["girocode"]
    town.save()
    response = create(api, case, provider="counter")
    assert response.status_code == 400
    assert "provider" in response.json()["errors"]


def test_wrong_token_and_foreign_clerk_get_404(api, case, stranger):
    assert create(api, case, token="wrong").status_code == 404
    api.force_authenticate(stranger)
    response = api.post(
        f"/api/v1/cases/{case.reference}/payments/", {"provider": "girocode"}, format="json"
    )
    assert response.status_code == 404
    assert not Payment.objects.exists()


def test_clerk_of_the_processing_authority_may_start_a_payment(api, case, clerk):
    api.force_authenticate(clerk)

    response = api.post(
        f"/api/v1/cases/{case.reference}/payments/", {"provider": "counter"}, format="json"
    )

    assert response.status_code == 201


def test_payment_detail_for_token_clerk_and_payee_admin_only(
    api, case, clerk, town_admin, stranger, django_assert_max_num_queries
):
    payment_id = create(api, case).json()["id"]
    url = f"/api/v1/payments/{payment_id}/"

    with django_assert_max_num_queries(6):
        by_token = api.get(f"{url}?access_token={case.access_token}")
    assert by_token.status_code == 200
    assert by_token.json()["status"] == "pending"
    for user, expected in ((clerk, 200), (town_admin, 200), (stranger, 404)):
        api.force_authenticate(user)
        assert api.get(url).status_code == expected, user
    api.force_authenticate(None)
    assert api.get(url).status_code == 404
    assert api.get(f"{url}?access_token=nope").status_code == 404
    assert api.get("/api/v1/payments/not-a-uuid/").status_code == 404


def test_payee_is_the_filing_town_when_another_authority_processes_the_case(
    api, make_case, town, other_town, service
):
    from tests.factories import DelegationFactory

    DelegationFactory(service_key=service.key, from_municipality=town, to_municipality=other_town)
    delegated = make_case()
    assert delegated.processing_authority == other_town
    kamen_clerk = MembershipFactory(municipality=other_town, role=Membership.Role.CLERK).user

    body = create(api, delegated).json()

    assert body["payee"]["municipality"] == "bergkamen"
    api.force_authenticate(kamen_clerk)
    assert api.get(f"/api/v1/payments/{body['id']}/").status_code == 200


def test_case_detail_reports_the_payment_status(api, case):
    create(api, case)

    detail = api.get(f"/api/v1/cases/{case.reference}/?access_token={case.access_token}")

    assert detail.json()["payment_status"] == "pending"
