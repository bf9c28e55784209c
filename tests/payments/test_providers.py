"""Providers say what happens next and what they are called (payments/providers/): the pages,
the API and the admin render any provider from that, and the registry keeps keys unique."""

import pytest

from payments import payables, providers
from payments.providers.base import NextStepKind, PaymentProvider
from payments.providers.girocode import GiroCodeProvider
from payments.services.common import next_step
from payments.services.creation import payment_create

pytestmark = pytest.mark.django_db


def test_the_registry_refuses_a_second_provider_under_a_taken_key():
    class Impostor(PaymentProvider):
        key = "girocode"

    with pytest.raises(ValueError, match="girocode"):
        providers.register(Impostor())
    assert isinstance(providers.get("girocode"), GiroCodeProvider)


def test_the_admin_chooses_from_the_registry():
    keys = [key for key, _label in providers.choices()]
    assert keys == providers.keys()
    assert set(keys) == {"counter", "girocheckout", "girocode"}
    assert all(label for _key, label in providers.choices())
    from district.admin.tenants import MunicipalityForm

    field = MunicipalityForm().fields["payment_providers"]
    assert [key for key, _label in field.choices] == keys


def test_each_provider_says_what_the_payer_does_next(make_case):
    case = make_case()
    steps = {}
    for key in ("girocode", "counter", "girocheckout"):
        payment = payment_create(payable=case, provider_key=key, base_url="http://testserver/")
        steps[key] = next_step(payment.payment)
    assert steps["girocode"].kind == NextStepKind.SHOW_TRANSFER
    assert steps["girocode"].payload.startswith("BCD\n002\n1\nSCT\n")
    assert steps["counter"].kind == NextStepKind.PAY_AT_COUNTER
    assert steps["girocheckout"].kind == NextStepKind.REDIRECT
    assert steps["girocheckout"].url.startswith("http://testserver/payments/sandbox/")


def test_a_finished_checkout_no_longer_sends_the_payer_there(make_case):
    case = make_case()
    online = payment_create(payable=case, provider_key="girocheckout").payment
    payment_create(payable=case, provider_key="counter")  # supersedes the checkout
    online.refresh_from_db()
    assert next_step(online).kind == NextStepKind.REDIRECT
    assert next_step(online).url == ""


def test_the_api_renders_the_next_step_and_keeps_contract_v1(api, make_case):
    case = make_case()
    token = case.access_token
    transfer = api.post(
        f"/api/v1/cases/{case.reference}/payments/",
        {"provider": "girocode"},
        format="json",
        HTTP_X_ACCESS_TOKEN=token,
    ).json()
    assert transfer["next_step"]["kind"] == "show_transfer"
    assert transfer["epc_payload"] == transfer["next_step"]["epc_payload"]
    assert transfer["qr_svg_url"].endswith("/qr.svg")
    online = api.post(
        f"/api/v1/cases/{case.reference}/payments/",
        {"provider": "girocheckout"},
        format="json",
        HTTP_X_ACCESS_TOKEN=token,
    ).json()
    assert online["next_step"] == {"kind": "redirect", "url": online["redirect_url"]}


def test_pages_show_the_label_not_the_key(client, make_case, clerk):
    case = make_case()
    payment_create(payable=case, provider_key="girocode")
    client.force_login(clerk)
    html = client.get(f"/workspace/cases/{case.reference}/", HTTP_ACCEPT_LANGUAGE="de").content
    assert "Überweisung mit GiroCode" in html.decode()


def test_only_one_payable_adapter_may_register():
    with pytest.raises(Exception, match="registered already"):
        payables.register(type(payables.adapter())())
