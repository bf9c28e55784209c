"""GiroCheckout end to end against the sandbox: start with hash check, payment page,
signed notify and redirect, and everything a forged, repeated or wrong message must not do."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from cases.models import Case
from payments import girocheckout as protocol
from payments import sandbox
from payments.models import Payment, PaymentEvent
from payments.providers.base import ProviderError
from payments.providers.girocheckout import call, credentials_for
from tests.payments.conftest import start_online

pytestmark = pytest.mark.django_db


def signed(payment, *, result="4000", amount=None, currency="EUR", password=None):
    password = password or credentials_for(payment.payee_municipality.slug).password
    return protocol.sign_notify(
        {
            "gcReference": payment.provider_reference,
            "gcMerchantTxId": payment.merchant_tx_id,
            "gcBackendTxId": "backend-1",
            "gcAmount": payment.amount_cents if amount is None else amount,
            "gcCurrency": currency,
            "gcResultPayment": result,
        },
        password,
    )


def test_paying_in_the_sandbox_marks_the_case_paid_and_in_review(api, client, case):
    payment, redirect_url = start_online(api, case)

    page = client.get(redirect_url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "30,00" in text and "Stadt Bergkamen" in text and case.reference in text

    response = client.post(redirect_url, {"outcome": "success"})

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == f"/payments/girocheckout/return/{payment.merchant_tx_id}/"
    params = {key: values[0] for key, values in parse_qs(location.query).items()}
    assert params["gcResultPayment"] == "4000"
    assert protocol.verify_notify(params, credentials_for("bergkamen").password)
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert payment.paid_at is not None
    case.refresh_from_db()
    assert case.status == Case.Status.IN_REVIEW
    assert case.due_date is not None
    assert case.events.filter(type="payment_received").count() == 1

    # The browser's return is the same message once more: it changes nothing.
    back = client.get(response["Location"])
    assert back.status_code == 200
    assert "Paid" in back.content.decode() or "Bezahlt" in back.content.decode()
    assert (
        PaymentEvent.objects.filter(payment=payment, kind__in=["notify", "redirect"]).count() == 1
    )
    assert case.events.filter(type="payment_received").count() == 1


def test_return_page_of_the_paying_browser_leads_to_the_tracking_page(api, client, case):
    pay = client.post(
        f"/payments/cases/{case.reference}/pay/",
        {"access_token": case.access_token, "provider": "girocheckout"},
    )
    assert pay.status_code == 302
    done = client.post(pay["Location"], {"outcome": "success"})

    back = client.get(done["Location"])

    assert back.status_code == 302
    assert back["Location"].startswith(f"/track/{case.reference}/?access_token=")


def test_aborting_cancels_and_rejection_fails_the_attempt(api, client, case):
    payment, redirect_url = start_online(api, case)
    client.post(redirect_url, {"outcome": "abort"})
    payment.refresh_from_db()
    assert payment.status == "cancelled"

    second, redirect_url = start_online(api, case)
    client.post(redirect_url, {"outcome": "reject"})
    second.refresh_from_db()
    assert second.status == "failed"
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_PAYMENT


def test_forged_notification_is_refused_and_changes_nothing(api, client, case):
    payment, _url = start_online(api, case)
    params = signed(payment, password="not-the-password")
    events_before = PaymentEvent.objects.count()

    response = client.get("/payments/girocheckout/notify/", params)

    assert response.status_code == 400
    payment.refresh_from_db()
    assert payment.status == "pending"
    assert PaymentEvent.objects.count() == events_before
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_PAYMENT


def test_tampered_amount_breaks_the_hash(api, client, case):
    payment, _url = start_online(api, case)
    params = signed(payment)
    params["gcAmount"] = "1"

    assert client.post("/payments/girocheckout/notify/", params).status_code == 400
    payment.refresh_from_db()
    assert payment.status == "pending"


def test_same_notification_twice_answers_200_and_changes_state_once(api, client, case):
    payment, _url = start_online(api, case)
    params = signed(payment)

    first = client.get("/payments/girocheckout/notify/", params)
    second = client.post("/payments/girocheckout/notify/", params)

    assert first.status_code == second.status_code == 200
    assert PaymentEvent.objects.filter(payment=payment, kind="notify").count() == 1
    assert case.events.filter(type="payment_received").count() == 1
    payment.refresh_from_db()
    assert payment.status == "paid"


@pytest.mark.parametrize(("amount", "currency"), [(2999, "EUR"), (3000, "USD"), ("", "EUR")])
def test_wrong_amount_or_currency_is_not_marked_paid(api, client, case, amount, currency):
    payment, _url = start_online(api, case)

    response = client.get(
        "/payments/girocheckout/notify/", signed(payment, amount=amount, currency=currency)
    )

    assert response.status_code == 200  # processed: the provider must not resend it
    payment.refresh_from_db()
    assert payment.status == "pending"
    assert PaymentEvent.objects.get(payment=payment, kind="notify").outcome.startswith("refused")
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_PAYMENT


def test_notification_for_an_unknown_attempt_is_refused(client, case):
    params = protocol.sign_notify(
        {
            "gcReference": "x",
            "gcMerchantTxId": "nobody",
            "gcBackendTxId": "y",
            "gcAmount": "3000",
            "gcCurrency": "EUR",
            "gcResultPayment": "4000",
        },
        "secret",
    )
    assert client.get("/payments/girocheckout/notify/", params).status_code == 400


def test_redirect_before_notify_counts_once(api, client, case):
    payment, _url = start_online(api, case)
    params = signed(payment)

    client.get(f"/payments/girocheckout/return/{payment.merchant_tx_id}/", params)
    notify = client.get("/payments/girocheckout/notify/", params)

    assert notify.status_code == 200
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert case.events.filter(type="payment_received").count() == 1


def test_return_page_ignores_forged_parameters_and_shows_the_database_state(api, client, case):
    payment, _url = start_online(api, case)
    params = signed(payment, password="forged")

    response = client.get(f"/payments/girocheckout/return/{payment.merchant_tx_id}/", params)

    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == "pending"


def test_late_success_after_expiry_still_books_the_money(api, client, case):
    payment, _url = start_online(api, case)
    Payment.objects.filter(pk=payment.pk).update(status="expired")

    assert client.get("/payments/girocheckout/notify/", signed(payment)).status_code == 200

    payment.refresh_from_db()
    assert payment.status == "paid"


def test_sandbox_refuses_a_start_with_a_wrong_hash(case, town):
    credentials = credentials_for(town.slug)
    fields = protocol.signed_start_params(
        {
            "merchantId": credentials.merchant_id,
            "projectId": credentials.project_id,
            "merchantTxId": "tx-1",
            "amount": 3000,
            "currency": "EUR",
            "purpose": "Test",
            "type": "SALE",
            "urlRedirect": "http://testserver/r",
            "urlNotify": "http://testserver/n",
        },
        "wrong-password",
    )

    body, header = sandbox.api("transaction/start", fields)

    assert json.loads(body)["rc"] == 5002
    assert protocol.verify_body_hash(body, credentials.password, header)


def test_configured_credentials_are_used_and_derived_ones_no_longer_verify(
    api, client, case, settings
):
    derived = credentials_for("bergkamen").password
    settings.GIROCHECKOUT_CREDENTIALS = {
        "bergkamen": {"merchant_id": "1234567", "project_id": "1234", "password": "from-env"}
    }
    payment, redirect_url = start_online(api, case)

    assert (
        client.get("/payments/girocheckout/notify/", signed(payment, password=derived)).status_code
        == 400
    )
    assert (
        client.get(
            "/payments/girocheckout/notify/", signed(payment, password="from-env")
        ).status_code
        == 200
    )


def test_without_sandbox_and_credentials_online_payment_cannot_start(api, case, settings):
    settings.PAYMENTS_SANDBOX = False
    settings.GIROCHECKOUT_CREDENTIALS = {}

    response = api.post(
        f"/api/v1/cases/{case.reference}/payments/?access_token={case.access_token}",
        {"provider": "girocheckout"},
        format="json",
    )

    assert response.status_code == 409
    assert Payment.objects.get(payable=case).status == "failed"


class _Provider(BaseHTTPRequestHandler):
    """A stand-in for GiroCheckout's HTTPS API on localhost: signs with `password`."""

    password = "from-env"
    tamper = False
    requests: list = []

    def do_POST(self):  # noqa: N802
        length = int(self.headers["Content-Length"])
        fields = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        type(self).requests.append((self.path, fields))
        ok = protocol.verify_start_params(fields, self.password)
        body = json.dumps(
            {"rc": 0, "msg": "", "reference": "ref-1", "redirect": "https://pay.example/x"}
            if ok
            else {"rc": 5002, "msg": "hash"}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header(
            "hash", "0" * 32 if self.tamper else protocol.body_hash(body, self.password)
        )
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_provider(settings):
    _Provider.requests = []
    _Provider.tamper = False
    server = HTTPServer(("127.0.0.1", 0), _Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.PAYMENTS_SANDBOX = False
    settings.GIROCHECKOUT_API_URL = f"http://127.0.0.1:{server.server_port}/api/v2/"
    settings.GIROCHECKOUT_CREDENTIALS = {
        "bergkamen": {"merchant_id": "1234567", "project_id": "1234", "password": "from-env"}
    }
    settings.PORTAL_BASE_URL = "https://portal.example"
    yield _Provider
    server.shutdown()


def test_outside_the_sandbox_start_posts_signed_fields_to_the_configured_api(
    api, case, fake_provider
):
    payment, redirect_url = start_online(api, case)

    assert redirect_url == "https://pay.example/x"
    path, fields = fake_provider.requests[0]
    assert path == "/api/v2/transaction/start"
    assert fields["merchantId"] == "1234567"
    assert fields["amount"] == "3000"
    # Callbacks use the configured portal address, never the request's Host.
    assert fields["urlNotify"] == "https://portal.example/payments/girocheckout/notify/"
    assert protocol.verify_start_params(fields, "from-env")
    assert payment.provider_reference == "ref-1"


def test_a_reply_whose_hash_does_not_verify_is_ignored(case, fake_provider):
    fake_provider.tamper = True
    credentials = credentials_for("bergkamen")

    with pytest.raises(ProviderError):
        call("transaction/start", {"merchantId": "1234567"}, credentials)
