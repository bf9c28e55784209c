"""The citizen's payment choices on the tracking page, without JavaScript."""

import pytest

from payments.models import Payment

pytestmark = pytest.mark.django_db


def track(client, case):
    return client.get(f"/track/{case.reference}/?access_token={case.access_token}", follow=True)


def test_tracking_page_offers_the_towns_ways_to_pay(client, case, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        response = track(client, case)

    html = response.content.decode()
    assert response.status_code == 200
    for key in ("girocode", "girocheckout", "counter"):
        assert f'data-provider="{key}"' in html
    assert f'action="/payments/cases/{case.reference}/pay/"' in html


def test_choosing_girocode_shows_qr_and_transfer_details(client, case):
    response = client.post(
        f"/payments/cases/{case.reference}/pay/",
        {"access_token": case.access_token, "provider": "girocode"},
    )
    assert response.status_code == 302

    html = client.get(response["Location"], follow=True).content.decode()

    payment = Payment.objects.get(payable=case)
    assert f"/payments/{payment.pk}/qr.svg" in html
    assert "DE81 4435 0060 0000 1004 04" in html
    assert 'id="payment-status"' in html
    assert 'data-provider="girocode"' not in html  # the chosen way is not offered again
    assert 'data-provider="counter"' in html


def test_paid_case_shows_paid_and_no_choices(client, case, clerk):
    from payments.services.desk import payment_mark_paid_at_counter

    payment_mark_paid_at_counter(payable=case, receipt_number="K-1", user=clerk)

    html = track(client, case).content.decode()

    assert "data-provider" not in html
    assert 'id="payment-status"' in html


def test_wrong_token_cannot_start_a_payment(client, case):
    response = client.post(
        f"/payments/cases/{case.reference}/pay/", {"access_token": "x", "provider": "girocode"}
    )
    assert response.status_code == 404
    assert not Payment.objects.exists()


def test_sandbox_page_is_gone_when_the_sandbox_is_off(client, settings):
    settings.PAYMENTS_SANDBOX = False
    assert client.get("/payments/sandbox/girocheckout/abc/").status_code == 404


def test_confirmation_page_offers_the_payment_choices(client, case, service):
    session = client.session
    session["submitted_cases"] = {case.reference: case.access_token}
    session.save()

    response = client.get(f"/{case.municipality.slug}/{service.key}/done/{case.reference}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-provider="girocheckout"' in html
    assert f'value="{case.access_token}"' in html
