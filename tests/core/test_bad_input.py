"""Bad bytes at every door (core/hygiene.py, issue 12): a NUL byte and a 5,000-digit integer
sent to each endpoint family — submission (API and form), tracking (page and API),
GiroCheckout's return and notification, clerk actions (page and API), citizens' answers
(page and API) — are answered 400 naming where they were, never 500, and change nothing.
On PostgreSQL (CI) a NUL reaching a query would be a 500."""

import json

import pytest
from django.utils.http import urlencode

from cases.models import Case, CaseEvent
from municipalities.models import Membership
from payments.models import Payment, PaymentEvent
from tests.factories import MembershipFactory
from tests.payments.conftest import (  # noqa: F401  (fixtures)
    case,
    make_case,
    service,
    start_online,
    town,
)

pytestmark = pytest.mark.django_db

NUL = "Łukasz\x00Yılmaz"
HUGE = "9" * 5000


@pytest.fixture
def offered(town, service):  # noqa: F811
    from catalog.models import ServiceOffering

    ServiceOffering.objects.update_or_create(municipality=town, service_key=service.key)
    return town, service


@pytest.fixture
def clerk(town):  # noqa: F811
    return MembershipFactory(municipality=town, role=Membership.Role.CLERK).user


def snapshot():
    return (
        Case.objects.count(),
        CaseEvent.objects.count(),
        Payment.objects.count(),
        PaymentEvent.objects.count(),
        list(Case.objects.order_by("pk").values_list("status", flat=True)),
    )


def assert_refused(response, field: str) -> None:
    assert response.status_code == 400, response.content[:300]
    if response["Content-Type"].startswith("application/json"):
        assert field in response.json()["errors"], response.json()
    else:
        assert field in response.content.decode()


def raw_json(api, method: str, url: str, body: str, **headers):
    return getattr(api, method)(url, data=body, content_type="application/json", **headers)


# --- submission ---------------------------------------------------------------------------


def test_submission_api(api, offered):
    town, service = offered  # noqa: F811
    before = snapshot()
    url = f"/api/v1/municipalities/{town.slug}/cases/"
    good = {"name": "Nguyễn Thị Minh Khai", "email": "minh@example.org"}
    body = {"service": service.key + "\x00", "applicant": good, "data": {"anzahl": 1}}
    assert_refused(api.post(url, body, format="json"), "service")
    body = {"service": service.key, "applicant": {**good, "name": NUL}, "data": {"anzahl": 1}}
    assert_refused(api.post(url, body, format="json"), "applicant.name")
    text = (
        f'{{"service": "{service.key}", "applicant": {{"name": "Minh", '
        f'"email": "minh@example.org"}}, "data": {{"anliegen": "Sofa", "anzahl": {HUGE}}}}}'
    )
    assert_refused(raw_json(api, "post", url, text), "data.anzahl")
    # A digit string too long for any number, and one just too long for a form's integer.
    body = {"service": service.key, "applicant": good, "data": {"anliegen": "x", "anzahl": HUGE}}
    assert_refused(api.post(url, body, format="json"), "data.anzahl")
    body["data"]["anzahl"] = "9" * 19
    assert_refused(api.post(url, body, format="json"), "data.anzahl")
    assert snapshot() == before


def test_submission_form(client, offered):
    town, service = offered  # noqa: F811
    before = snapshot()
    url = f"/{town.slug}/{service.key}/"
    assert client.get(url).status_code == 200
    # multipart, as a browser sends a form that may hold files
    assert_refused(client.post(url, {"anliegen": NUL, "anzahl": "1"}), "anliegen")
    assert_refused(client.post(url, {"anliegen": "Sofa", "anzahl": HUGE}), "anzahl")
    # urlencoded
    body = urlencode({"anliegen": "Sofa", "anzahl": HUGE})
    response = client.post(url, body, content_type="application/x-www-form-urlencoded")
    assert_refused(response, "anzahl")
    body = urlencode({"anliegen\x00": "Sofa", "anzahl": "2"})
    response = client.post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert snapshot() == before


# --- tracking -----------------------------------------------------------------------------


def test_tracking_page_and_api(client, api, case):  # noqa: F811
    before = snapshot()
    page = f"/track/{case.reference}/"
    assert_refused(client.get(page, {"access_token": "abc\x00"}), "access_token")
    assert_refused(client.get(page, {"access_token": HUGE}), "access_token")
    assert client.get(f"/track/{case.reference}%00/").status_code == 400
    response = api.get(f"/api/v1/cases/{case.reference}%00/")
    assert response.status_code == 400 and "path" in response.json()["errors"]
    assert_refused(
        api.get(f"/api/v1/cases/{case.reference}/", {"access_token": HUGE}), "access_token"
    )
    assert snapshot() == before


# --- GiroCheckout -------------------------------------------------------------------------


def test_girocheckout_return_and_notify(client, api, case):  # noqa: F811
    payment, _redirect = start_online(api, case)
    before = snapshot()
    back = f"/payments/girocheckout/return/{payment.merchant_tx_id}/"
    params = {"gcMerchantTxId": payment.merchant_tx_id, "gcResultPayment": "4000"}
    assert_refused(client.get(back, {**params, "gcReference": "x\x00"}), "gcReference")
    assert_refused(client.get(back, {**params, "gcAmount": HUGE}), "gcAmount")
    notify = "/payments/girocheckout/notify/"
    assert_refused(client.get(notify, {**params, "gcHash": "\x00"}), "gcHash")
    assert_refused(client.get(notify, {**params, "gcAmount": HUGE}), "gcAmount")
    assert_refused(client.post(notify, {**params, "gcBackendTxId": NUL}), "gcBackendTxId")
    assert_refused(client.post(notify, {**params, "gcAmount": HUGE}), "gcAmount")
    assert snapshot() == before
    payment.refresh_from_db()
    assert payment.status != "paid"


# --- clerk actions and citizens' answers ----------------------------------------------------


def test_clerk_actions_page_and_api(client, api, case, clerk):  # noqa: F811
    before = snapshot()
    client.force_login(clerk)
    page = f"/workspace/cases/{case.reference}/"
    assert_refused(client.post(page, {"action": "request_info", "comment": NUL}), "comment")
    assert_refused(client.post(page, {"action": "request_info", "comment": HUGE}), "comment")
    api.force_authenticate(clerk)
    url = f"/api/v1/cases/{case.reference}/actions/"
    assert_refused(
        api.post(url, {"action": "request_info", "comment": NUL}, format="json"), "comment"
    )
    body = f'{{"action": "request_info", "comment": "Bitte „Nachweis“", "attempt": {HUGE}}}'
    assert_refused(raw_json(api, "post", url, body), "attempt")
    assert snapshot() == before


def test_citizen_answers_page_and_api(client, api, case):  # noqa: F811
    Case.objects.filter(pk=case.pk).update(status=Case.Status.AWAITING_APPLICANT)
    before = snapshot()
    page = f"/track/{case.reference}/"
    answer = {"access_token": case.access_token, "action": "respond", "comment": NUL}
    assert_refused(client.post(page, answer), "comment")
    assert_refused(client.post(page, {**answer, "comment": HUGE}), "comment")
    url = f"/api/v1/cases/{case.reference}/actions/"
    token = {"HTTP_X_ACCESS_TOKEN": case.access_token}
    assert_refused(
        api.post(url, {"action": "respond", "comment": NUL}, format="json", **token), "comment"
    )
    body = json.dumps({"action": "respond", "comment": "ok"})[:-1] + f', "n": {HUGE}}}'
    assert_refused(raw_json(api, "post", url, body, **token), "n")
    assert snapshot() == before
