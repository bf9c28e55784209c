"""Money that was not owed goes back in full, and the treasury's transfer file is right:
an over-payment's surplus and a transfer for a fee paid already become refunds of their
own; the file carries the payer's BIC where the statement named it (required outside the
EEA), names in the SEPA character set, validates against the official pain.001.001.09
schema, and is stored to be downloaded again."""

from pathlib import Path

import pytest
import sepaxml
from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import etree

from cases.models import Actor
from cases.services import case_apply_action
from payments.models import Payment, Refund, RefundExport
from payments.services.creation import payment_create
from tests.payments.camt import Credit, camt053

pytestmark = pytest.mark.django_db
PAIN = "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.09}"
#: The official ISO 20022 schema, as the sepaxml package ships it (no download in tests).
XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.09.xsd"


def transfer_pending(case) -> Payment:
    return payment_create(payable=case, provider_key="girocode").payment


def import_statement(client, admin, data: bytes, name: str = "auszug.xml"):
    client.force_login(admin)
    response = client.post(
        "/payments/statements/bergkamen/", {"file": SimpleUploadedFile(name, data, "text/xml")}
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    return response


def reject_and_refund(api, case, clerk):
    case_apply_action(
        case=case, action="reject", actor_kind=Actor.CLERK, actor=clerk, comment="Nicht zuständig"
    )
    api.force_authenticate(clerk)
    return api.post(f"/api/v1/cases/{case.reference}/payments/refund/", {}, format="json")


def export(client) -> tuple[bytes, etree._Element]:
    response = client.post("/payments/statements/bergkamen/refunds.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    return response.content, etree.fromstring(response.content)


def transfers(root) -> dict[str, etree._Element]:
    return {
        element.findtext(f"{PAIN}Amt/{PAIN}InstdAmt"): element
        for element in root.iter(f"{PAIN}CdtTrfTxInf")
    }


def assert_valid_pain001(content: bytes) -> None:
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    document = etree.fromstring(content)
    assert schema.validate(document), schema.error_log


def test_an_over_payment_is_refunded_in_full_the_surplus_as_its_own_refund(
    api, client, case, clerk, town_admin
):
    payment = transfer_pending(case)  # fee 30,00 €
    statement = camt053(
        [
            Credit(
                "35.00",
                payment.creditor_reference,
                debtor_name="Łukasz Yılmaz–Şahin",
                debtor_bic="COBADEFFXXX",
            )
        ]
    )

    page = import_statement(client, town_admin, statement)

    payment.refresh_from_db()
    assert payment.status == "paid"
    surplus = Refund.objects.get(kind="surplus")
    assert (surplus.amount_cents, surplus.status) == (500, "open")
    assert surplus.creditor_iban == "DE89370400440532013000"
    assert surplus.creditor_bic == "COBADEFFXXX"
    assert "5,00" in page.content.decode()
    # The citizen reads that the surplus comes back.
    assert case.events.filter(comment__contains="5,00", visibility="public").exists()

    response = reject_and_refund(api, case, clerk)

    assert response.status_code == 200, response.content
    assert response.json()["amount_cents"] == 3000
    content, root = export(client)
    assert_valid_pain001(content)
    assert root.findtext(f".//{PAIN}GrpHdr/{PAIN}NbOfTxs") == "2"
    assert root.findtext(f".//{PAIN}GrpHdr/{PAIN}CtrlSum") == "35.00"  # the payment in full
    by_amount = transfers(root)
    assert set(by_amount) == {"30.00", "5.00"}
    for transfer in by_amount.values():
        assert transfer.findtext(f"{PAIN}Cdtr/{PAIN}Nm") == "Lukasz Yilmaz-Sahin"
        assert transfer.findtext(f"{PAIN}CdtrAgt/{PAIN}FinInstnId/{PAIN}BICFI") == "COBADEFFXXX"
        assert transfer.findtext(f"{PAIN}CdtrAcct/{PAIN}Id/{PAIN}IBAN") == (
            "DE89370400440532013000"
        )
    assert sum(r.amount_cents for r in Refund.objects.filter(payment=payment)) == 3500


def test_a_transfer_for_a_fee_paid_already_goes_back_whole(client, case, town_admin):
    first = transfer_pending(case)
    import_statement(client, town_admin, camt053([Credit("30.00", first.creditor_reference)]))
    again = camt053(
        [Credit("30.00", first.creditor_reference, bank_reference="2026112999999")],
        message_id="STMT-2026-11-28-001",
    )

    import_statement(client, town_admin, again)

    duplicate = Refund.objects.get(kind="duplicate")
    assert duplicate.amount_cents == 3000
    assert duplicate.statement_line.bank_reference == "2026112999999"
    content, root = export(client)
    assert_valid_pain001(content)
    assert set(transfers(root)) == {"30.00"}


def test_outside_the_eea_the_bic_is_required_and_taken_from_the_statement(
    client, case, make_case, town_admin
):
    with_bic = transfer_pending(case)  # 30,00 €
    from_registry = transfer_pending(make_case(fee_cents=2000))
    unknown_bank = transfer_pending(make_case(fee_cents=1500))
    statement = camt053(
        [
            Credit(
                "40.00",
                with_bic.creditor_reference,
                debtor_name="Chloé Müller-Lüdenscheidt",
                debtor_iban="CH9300762011623852957",
                debtor_bic="POFICHBEXXX",  # as the statement names the payer's bank
            ),
            Credit(
                "25.00",
                from_registry.creditor_reference,
                debtor_name="Jürg Zürcher",
                debtor_iban="CH5604835012345678009",  # no BIC, but the bank registry knows it
            ),
            Credit(
                "20.00",
                unknown_bank.creditor_reference,
                debtor_name="Nicolò Rossi",
                debtor_iban="SM86U0322509800000000270100",  # no BIC, none in the registry
            ),
        ]
    )

    page = import_statement(client, town_admin, statement)

    assert Refund.objects.get(payment=with_bic).creditor_bic == "POFICHBEXXX"
    assert Refund.objects.get(payment=from_registry).creditor_bic == "UBSWCHZH80A"
    assert not Refund.objects.filter(payment=unknown_bank).exists()
    assert "von Hand" in page.content.decode()  # reported for a refund by hand
    content, root = export(client)
    assert_valid_pain001(content)
    by_amount = transfers(root)
    assert set(by_amount) == {"10.00", "5.00"}
    ten = by_amount["10.00"]
    assert ten.findtext(f"{PAIN}CdtrAgt/{PAIN}FinInstnId/{PAIN}BICFI") == "POFICHBEXXX"
    assert ten.findtext(f"{PAIN}Cdtr/{PAIN}Nm") == "Chloe Mueller-Luedenscheidt"
    five = by_amount["5.00"]
    assert five.findtext(f"{PAIN}CdtrAgt/{PAIN}FinInstnId/{PAIN}BICFI") == "UBSWCHZH80A"
    assert five.findtext(f"{PAIN}Cdtr/{PAIN}Nm") == "Juerg Zuercher"


def test_a_fee_refund_to_an_account_outside_the_eea_without_a_bic_is_refused(
    api, client, case, clerk, town_admin
):
    payment = transfer_pending(case)
    import_statement(
        client,
        town_admin,
        camt053(
            [Credit("30.00", payment.creditor_reference, debtor_iban="SM86U0322509800000000270100")]
        ),
    )

    response = reject_and_refund(api, case, clerk)

    assert response.status_code == 409
    assert "von Hand" in response.json()["detail"]
    assert not Refund.objects.exists()


def test_an_export_is_stored_and_can_be_downloaded_again(
    api, client, case, clerk, town_admin, stranger
):
    payment = transfer_pending(case)
    import_statement(client, town_admin, camt053([Credit("30.00", payment.creditor_reference)]))
    reject_and_refund(api, case, clerk)
    content, root = export(client)
    stored = RefundExport.objects.get()
    assert (stored.count, stored.total_cents) == (1, 3000)
    assert stored.message_id == root.findtext(f".//{PAIN}GrpHdr/{PAIN}MsgId")

    page = client.get("/payments/statements/bergkamen/").content.decode()
    url = f"/payments/statements/bergkamen/exports/{stored.pk}.xml"
    assert url in page and stored.message_id in page

    again = client.get(url)

    assert again.status_code == 200
    assert again.content == content  # byte for byte, the same message id
    assert stored.message_id in again["Content-Disposition"]
    assert Refund.objects.get().status == "exported"
    # Another town's admin finds nothing there.
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert client.get(f"/payments/statements/kamen/exports/{stored.pk}.xml").status_code == 404


def test_names_and_texts_of_the_file_stay_in_the_sepa_character_set(
    api, client, case, clerk, town_admin, town
):
    town.payee_name = "Stadt Bergkamen – Stadtkasse „Kämmerei“"
    town.save(update_fields=["payee_name"])
    payment = transfer_pending(case)
    import_statement(
        client,
        town_admin,
        camt053(
            [
                Credit(
                    "30.00", payment.creditor_reference, debtor_name="Nguyễn Thị Minh Khai & Söhne"
                )
            ]
        ),
    )
    reject_and_refund(api, case, clerk)

    content, root = export(client)

    assert_valid_pain001(content)
    assert root.findtext(f".//{PAIN}Dbtr/{PAIN}Nm") == "Stadt Bergkamen - Stadtkasse 'Kaemmerei'"
    assert root.findtext(f".//{PAIN}Cdtr/{PAIN}Nm") == "Nguyen Thi Minh Khai + Soehne"
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-?:().,'+ ")
    for element in root.iter():
        if element.text and element.text.strip():
            assert set(element.text) <= allowed, (element.tag, element.text)


@pytest.mark.parametrize(
    ("text", "sepa"),
    [
        ("Łukasz Yılmaz–Şahin", "Lukasz Yilmaz-Sahin"),
        ("Nguyễn Thị Minh Khai", "Nguyen Thi Minh Khai"),
        ("Bäckerei „Zur Linde“ & Söhne", "Baeckerei 'Zur Linde' + Soehne"),
        ("ÖZDEMİR, ÄNNE", "OEZDEMIR, AENNE"),
        ("Über-Straße 5", "Ueber-Strasse 5"),
        ("Gebühr: 12,50 € (100 %)", "Gebuehr: 12,50 EUR (100 .)"),
        ("Ærø Œuvre Đorđe Øster", "Aero Oeuvre Dorde Oster"),
        ("Фёдор Müller", "Mueller"),
        ("a" * 80, "a" * 70),
    ],
)
def test_sepa_text(text, sepa):
    from payments.sepa import sepa_text

    assert sepa_text(text, 70) == sepa


def test_the_retention_purge_erases_a_stored_file_and_keeps_its_record(
    api, client, case, clerk, town_admin
):
    import datetime

    from django.utils import timezone

    from district.retention import cases_purge_expired

    payment = transfer_pending(case)
    import_statement(client, town_admin, camt053([Credit("30.00", payment.creditor_reference)]))
    reject_and_refund(api, case, clerk)
    content, _root = export(client)
    assert "Lukasz Yilmaz-Sahin" in content.decode()
    stored = RefundExport.objects.get()
    later = timezone.now() + datetime.timedelta(days=case.service.retention_days + 1)

    cases_purge_expired(now=later)

    stored.refresh_from_db()
    assert (stored.xml, stored.purged_at) == ("", later)
    assert (stored.count, stored.total_cents) == (1, 3000)  # the books keep the record
    url = f"/payments/statements/bergkamen/exports/{stored.pk}.xml"
    assert client.get(url).status_code == 404
    page = client.get("/payments/statements/bergkamen/").content.decode()
    assert stored.message_id in page and url not in page
