"""GiroCheckout's results that mean failure, from the outside: the provider's signed
notification (or the sandbox's payment page) with any documented failure code fails the
attempt at once and the citizen can choose again; the sandbox speaks the provider's
protocol over HTTP, SDK support fields and documented error codes included."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from cases.models import Case
from payments import girocheckout as protocol
from payments.models import Payment, PaymentEvent
from payments.providers.girocheckout import credentials_for
from tests.payments.conftest import start_online

pytestmark = pytest.mark.django_db

SANDBOX_API = "/payments/sandbox/girocheckout/api/v2/"


def notify(client, payment, result):
    params = protocol.sign_notify(
        {
            "gcReference": payment.provider_reference,
            "gcMerchantTxId": payment.merchant_tx_id,
            "gcBackendTxId": "b-1",
            "gcAmount": payment.amount_cents,
            "gcCurrency": "EUR",
            "gcResultPayment": result,
        },
        credentials_for(payment.payee_municipality.slug).password,
    )
    return client.get("/payments/girocheckout/notify/", params)


@pytest.mark.parametrize(
    "result",
    ["4103", "4504", "4505", "4001", "4051", "4107", "4152", "4506", "4900", "5100", "6001"],
)
def test_a_documented_failure_result_fails_the_attempt_at_once(api, client, case, result):
    payment, _url = start_online(api, case)

    assert notify(client, payment, result).status_code == 200

    payment.refresh_from_db()
    assert payment.status == "failed"
    assert payment.closed_at is not None
    event = PaymentEvent.objects.get(payment=payment, kind="notify")
    assert event.outcome == f"failed ({result})"
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_PAYMENT
    assert case.events.filter(comment__contains="nicht erfolgreich").exists()
    # The citizen chooses again: a new attempt starts at once.
    again = api.post(
        f"/api/v1/cases/{case.reference}/payments/?access_token={case.access_token}",
        {"provider": "girocode"},
        format="json",
    )
    assert again.status_code == 201, again.content


@pytest.mark.parametrize("result", ["4500", "9999"])
def test_an_unknown_result_leaves_the_attempt_to_the_status_call(api, client, case, result):
    payment, _url = start_online(api, case)

    assert notify(client, payment, result).status_code == 200

    payment.refresh_from_db()
    assert payment.status == "pending"


def test_choosing_a_failure_code_on_the_sandbox_page_lets_the_citizen_choose_again(client, case):
    track = f"/track/{case.reference}/?access_token={case.access_token}"
    pay = client.post(
        f"/payments/cases/{case.reference}/pay/",
        {"access_token": case.access_token, "provider": "girocheckout"},
    )
    assert pay.status_code == 302
    page = client.get(pay["Location"])
    text = page.content.decode()
    # Every documented result but the three buttons' is on offer, in the page's language.
    assert 'value="4103"' in text and 'value="4505"' in text and 'value="4000"' not in text
    assert "Gültigkeitsdatum der Karte überschritten" in text

    done = client.post(pay["Location"], {"result": "4103"})

    assert done.status_code == 302
    params = {k: v[0] for k, v in parse_qs(urlsplit(done["Location"]).query).items()}
    assert params["gcResultPayment"] == "4103"
    assert protocol.verify_notify(params, credentials_for("bergkamen").password)
    payment = Payment.objects.get(payable=case)
    assert payment.status == "failed"
    back = client.get(done["Location"])
    assert back.status_code == 302 and back["Location"].startswith(f"/track/{case.reference}/")
    tracking = client.get(track, follow=True).content.decode()
    assert "Wie möchten Sie bezahlen?" in tracking  # the choice is offered again
    assert "Online-Zahlung war nicht erfolgreich" in tracking

    second = client.post(
        f"/payments/cases/{case.reference}/pay/",
        {"access_token": case.access_token, "provider": "girocheckout"},
    )
    assert second.status_code == 302
    assert Payment.objects.filter(payable=case, status="pending").count() == 1


def test_the_sandbox_page_refuses_an_undocumented_result(api, client, case):
    payment, redirect_url = start_online(api, case)

    assert client.post(redirect_url, {"result": "4999"}).status_code == 400

    payment.refresh_from_db()
    assert payment.status == "pending"


# --- the sandbox's API over HTTP, as an SDK calls it ------------------------------------


def sdk_start_fields(town, *, signed: dict | None = None, **changes):
    """A transaction/start request as GiroSolution's SDK sends it; `signed` changes go into
    the hash, `changes` are made after signing (a tampered or unsigned field)."""
    credentials = credentials_for(town.slug)
    fields = protocol.signed_start_params(
        {
            "merchantId": credentials.merchant_id,
            "projectId": credentials.project_id,
            "merchantTxId": "shop-order-4711",
            "amount": 2000,
            "currency": "EUR",
            "purpose": "Gebühr „Hundesteuer“ 2026",
            "type": "SALE",
            "urlRedirect": "http://testserver/shop/return",
            "urlNotify": "http://testserver/shop/notify",
            **(signed or {}),
        },
        credentials.password,
    )
    # What GiroSolution's SDK adds after hashing (GiroCheckout_SDK_Request::submit).
    fields |= {
        "sourceId": "portal.example;PHP 2.3.18;;",
        "userAgent": "Mozilla/5.0 (X11; Linux x86_64)",
        "orderId": "4711",
        "customerId": "Łukasz Yılmaz–Şahin",
    }
    return fields | changes, credentials


def reply(response, credentials):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert protocol.verify_body_hash(response.content, credentials.password, response["hash"])
    return json.loads(response.content)


def test_the_sandbox_api_accepts_an_sdk_request_with_source_id(client, town):
    fields, credentials = sdk_start_fields(town)

    answer = reply(client.post(SANDBOX_API + "transaction/start", fields), credentials)

    assert answer["rc"] == 0
    assert answer["redirect"].endswith(f"/payments/sandbox/girocheckout/{answer['reference']}/")
    status = reply(
        client.post(
            SANDBOX_API + "transaction/status",
            {
                "merchantId": credentials.merchant_id,
                "projectId": credentials.project_id,
                "reference": answer["reference"],
                "hash": protocol.request_hash(
                    [credentials.merchant_id, credentials.project_id, answer["reference"]],
                    credentials.password,
                ),
                "sourceId": "portal.example;PHP 2.3.18;;",
            },
        ),
        credentials,
    )
    assert status["rc"] == 0 and status["amount"] == 2000 and status["resultPayment"] == ""


@pytest.mark.parametrize(
    ("changes", "rc"),
    [
        ({"amount": "2001"}, 5002),  # a signed field changed: invalid hash
        ({"hash": ""}, 5002),
        ({"urlNotify2": "http://evil.example/"}, 5002),  # a field the hash does not cover
        ({"purpose": ""}, 5003),  # mandatory field not specified
        ({"merchantId": "1"}, 5000),  # authentication failed
    ],
)
def test_the_sandbox_api_answers_the_documented_error_codes(client, town, changes, rc):
    fields, credentials = sdk_start_fields(town, **changes)

    response = client.post(SANDBOX_API + "transaction/start", fields)

    answer = json.loads(response.content)
    assert answer["rc"] == rc
    if rc != 5000:  # an unknown project gets an unsigned answer: there is no password
        assert protocol.verify_body_hash(response.content, credentials.password, response["hash"])


def test_the_sandbox_api_refuses_a_signed_zero_amount_and_a_foreign_transaction(client, town):
    zero, credentials = sdk_start_fields(town, signed={"amount": 0})
    assert reply(client.post(SANDBOX_API + "transaction/start", zero), credentials)["rc"] == 5030
    unknown = {
        "merchantId": credentials.merchant_id,
        "projectId": credentials.project_id,
        "reference": "no-such-reference",
    }
    unknown["hash"] = protocol.request_hash(unknown.values(), credentials.password)
    answer = reply(client.post(SANDBOX_API + "transaction/status", unknown), credentials)
    assert answer["rc"] == 5034


def test_the_sandbox_api_is_gone_without_the_sandbox(client, town, settings):
    fields, _credentials = sdk_start_fields(town)
    settings.PAYMENTS_SANDBOX = False

    assert client.post(SANDBOX_API + "transaction/start", fields).status_code == 404
