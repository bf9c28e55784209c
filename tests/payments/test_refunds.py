"""Refunds of a rejected case's fee: GiroCheckout through its API, bank transfers as a
pain.001 file for the treasury, cash at the counter."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import etree

from cases.models import Actor
from cases.services import case_apply_action
from payments.models import Payment, Refund, SandboxTransaction
from payments.services.creation import payment_create
from tests.payments.conftest import sample

pytestmark = pytest.mark.django_db
PAIN = "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.09}"


def reject(case, clerk):
    case_apply_action(
        case=case, action="reject", actor_kind=Actor.CLERK, actor=clerk, comment="Nicht zuständig"
    )


def refund(api, case):
    return api.post(f"/api/v1/cases/{case.reference}/payments/refund/", {}, format="json")


def pay_online(client, case):
    payment = payment_create(
        payable=case, provider_key="girocheckout", base_url="http://testserver/"
    )
    client.post(payment.payment.redirect_url, {"outcome": "success"})
    return Payment.objects.get(pk=payment.payment.pk)


def test_online_payment_of_a_rejected_case_is_refunded_through_the_provider(
    api, client, case, clerk
):
    payment = pay_online(client, case)
    assert payment.status == "paid"
    reject(case, clerk)
    api.force_authenticate(clerk)

    response = refund(api, case)

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "done"
    payment.refresh_from_db()
    assert payment.status == "refunded"
    assert (
        SandboxTransaction.objects.get(reference=payment.provider_reference).refunded_cents == 3000
    )
    assert case.events.filter(type="payment", comment__contains="erstattet").exists()


def test_refund_twice_is_a_conflict(api, client, case, clerk):
    pay_online(client, case)
    reject(case, clerk)
    api.force_authenticate(clerk)
    refund(api, case)

    assert refund(api, case).status_code == 409
    assert Refund.objects.count() == 1


def test_only_a_rejected_case_is_refunded(api, client, case, clerk):
    pay_online(client, case)
    api.force_authenticate(clerk)

    assert refund(api, case).status_code == 409
    assert not Refund.objects.exists()


def test_nothing_paid_nothing_to_refund(api, case, clerk):
    reject(case, clerk)
    api.force_authenticate(clerk)
    assert refund(api, case).status_code == 409


def test_bank_transfer_refund_is_exported_as_pain001_for_the_treasury(
    api, client, case, clerk, town_admin
):
    payment = payment_create(payable=case, provider_key="girocode").payment
    Payment.objects.filter(pk=payment.pk).update(creditor_reference="RF72BKM2026000001")
    client.force_login(town_admin)
    client.post(
        "/payments/statements/bergkamen/",
        {"file": SimpleUploadedFile("s.xml", sample("camt053_v08.xml"), "text/xml")},
    )
    payment.refresh_from_db()
    assert payment.status == "paid"
    reject(case, clerk)
    api.force_authenticate(clerk)

    response = refund(api, case)

    assert response.status_code == 200
    assert response.json()["status"] == "open"
    obligation = Refund.objects.get()
    assert obligation.creditor_iban == "DE89370400440532013000"  # the payer's account

    export = client.post("/payments/statements/bergkamen/refunds.xml")

    assert export.status_code == 200
    assert export["Content-Type"] == "application/xml"
    root = etree.fromstring(export.content)
    assert root.tag == f"{PAIN}Document"
    assert root.findtext(f".//{PAIN}GrpHdr/{PAIN}NbOfTxs") == "1"
    assert root.findtext(f".//{PAIN}GrpHdr/{PAIN}CtrlSum") == "30.00"
    assert root.findtext(f".//{PAIN}DbtrAcct/{PAIN}Id/{PAIN}IBAN") == "DE81443500600000100404"
    transfer = root.find(f".//{PAIN}CdtTrfTxInf")
    assert transfer.findtext(f"{PAIN}Amt/{PAIN}InstdAmt") == "30.00"
    assert transfer.find(f"{PAIN}Amt/{PAIN}InstdAmt").get("Ccy") == "EUR"
    assert transfer.findtext(f"{PAIN}CdtrAcct/{PAIN}Id/{PAIN}IBAN") == "DE89370400440532013000"
    assert case.reference in transfer.findtext(f"{PAIN}PmtId/{PAIN}EndToEndId")
    obligation.refresh_from_db()
    assert obligation.status == "exported"

    again = client.post("/payments/statements/bergkamen/refunds.xml")
    assert again.status_code == 302  # nothing left to export


def test_counter_payment_is_refunded_at_the_counter(api, case, clerk):
    api.force_authenticate(clerk)
    api.post(
        f"/api/v1/cases/{case.reference}/payments/counter/",
        {"receipt_number": "K-1"},
        format="json",
    )
    reject(case, clerk)

    response = refund(api, case)

    assert response.json()["status"] == "done"
    assert Payment.objects.get(payable=case).status == "refunded"


def test_refund_from_the_workspace_page_needs_confirmation(client, case, clerk):
    pay_online(client, case)
    reject(case, clerk)
    client.force_login(clerk)

    client.post(f"/payments/cases/{case.reference}/refund/", {"next": "/workspace/"})
    assert not Refund.objects.exists()

    response = client.post(
        f"/payments/cases/{case.reference}/refund/", {"next": "/workspace/", "confirm": "on"}
    )
    assert response.status_code == 302
    assert Refund.objects.get().status == "done"


def test_foreign_clerk_cannot_refund(api, client, case, clerk, stranger):
    pay_online(client, case)
    reject(case, clerk)
    api.force_authenticate(stranger)

    assert refund(api, case).status_code == 404
    assert not Refund.objects.exists()
