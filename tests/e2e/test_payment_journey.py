"""Paying a fee in a real browser (issue 5, acceptance 4): one citizen pays a prepaid
Meldebescheinigung (9,00 €) online through the GiroCheckout sandbox; another aborts, pays by
bank transfer with the GiroCode instead, and the town's statement import books it. The
tracking page shows the right status each time."""

import re

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import Page, expect

from cases.services import case_submit
from municipalities.models import Municipality
from payments.models import Payment
from tests.e2e.axe import assert_no_axe_violations

WAIT = 20_000
ANSWERS = {
    "familienname": "Muster",
    "vornamen": "Erika",
    "geburtsdatum": "1990-03-15",
    "strasse": "Rathausplatz",
    "hausnummer": "1",
    "plz": "59192",
    "ort": "Bergkamen",
    "art": "einfach",
    "zustellung": "post",
}

STATEMENT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>e2e-{reference}</MsgId><CreDtTm>2026-03-17T21:00:00+01:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>e2e-1</Id>
      <Acct><Id><IBAN>{iban}</IBAN></Id></Acct>
      <Ntry>
        <Amt Ccy="EUR">9.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-03-17</Dt></BookgDt>
        <ValDt><Dt>2026-03-17</Dt></ValDt>
        <AcctSvcrRef>E2E-{reference}</AcctSvcrRef>
        <NtryDtls><TxDtls>
          <RltdPties><Dbtr><Pty><Nm>Erika Muster</Nm></Pty></Dbtr>
            <DbtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></DbtrAcct></RltdPties>
          <RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>
            <Ref>{reference}</Ref></CdtrRefInf></Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


def translated(msgid: str) -> str:
    with translation.override("de"):
        return translation.gettext(msgid)


@pytest.fixture
def demo_data(transactional_db) -> None:
    call_command("load_demo", password="demo", verbosity=0)


def _file_case():
    return case_submit(
        municipality=Municipality.objects.get(slug="bergkamen"),
        service_key="meldebescheinigung",
        applicant={"name": "Erika Muster", "email": "erika@example.org"},
        data=dict(ANSWERS),
    ).case


def _tracking(case) -> str:
    return f"/track/{case.reference}/?access_token={case.access_token}"


def _status(page: Page, status: str) -> None:
    expect(page.locator("#case-status")).to_have_text(translated(status), timeout=WAIT)


def test_citizen_pays_online_through_the_sandbox(demo_data, page: Page) -> None:
    case = _file_case()
    assert case.fee_cents == 900

    page.goto(_tracking(case))
    _status(page, "Awaiting payment")
    assert_no_axe_violations(page, "tracking page with payment choices")
    page.locator('button[data-provider="girocheckout"]').click()

    expect(page.locator("#sandbox-amount")).to_contain_text("9,00", timeout=WAIT)
    expect(page.locator("#sandbox-payee")).to_have_text("Stadt Bergkamen")
    assert_no_axe_violations(page, "sandbox payment page")
    page.locator('button[value="success"]').click()

    expect(page).to_have_url(re.compile(rf"/track/{case.reference}/"), timeout=WAIT)
    _status(page, "In review")
    expect(page.locator("#payment-status")).to_have_text(translated("Fee paid"))
    assert Payment.objects.get(payable=case).status == "paid"


def test_citizen_aborts_then_pays_by_bank_transfer_booked_by_the_statement_import(
    demo_data, make_page, tmp_path
) -> None:
    case = _file_case()
    page = make_page(js=False)  # every journey works without JavaScript

    page.goto(_tracking(case))
    page.locator('button[data-provider="girocheckout"]').click()
    page.locator('button[value="abort"]').click()
    expect(page).to_have_url(re.compile(rf"/track/{case.reference}/"), timeout=WAIT)
    _status(page, "Awaiting payment")

    page.locator('button[data-provider="girocode"]').click()
    expect(page).to_have_url(re.compile(rf"/track/{case.reference}/"), timeout=WAIT)
    expect(page.locator("#payment-status")).to_have_text(translated("Awaiting payment"))
    qr = page.locator("img.portal-payment__qr")
    expect(qr).to_be_visible()
    payment = Payment.objects.get(payable=case, status="pending")
    assert payment.provider == "girocode"
    expect(page.locator("#girocode-reference")).to_contain_text(payment.creditor_reference[:4])
    qr_response = page.request.get(qr.get_attribute("src"))
    assert qr_response.ok and b"<svg" in qr_response.body()

    # The town's treasury imports the next bank statement.
    statement = tmp_path / "camt053.xml"
    statement.write_text(
        STATEMENT.format(reference=payment.creditor_reference, iban=payment.payee_iban)
    )
    admin = make_page(js=False)
    admin.goto("/accounts/login/")
    admin.locator("#id_username").fill("admin-bergkamen")
    admin.locator("#id_password").fill("demo")
    admin.locator("main form button[type=submit], main form input[type=submit]").first.click()
    admin.goto("/payments/statements/bergkamen/")
    admin.locator("#field-file").set_input_files(str(statement))
    admin.locator("main form[enctype] button[type=submit]").click()
    expect(admin.locator("#report-summary")).to_be_visible(timeout=WAIT)

    page.goto(_tracking(case))
    _status(page, "In review")
    expect(page.locator("#payment-status")).to_have_text(translated("Fee paid"))
