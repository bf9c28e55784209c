"""Bank statement import (camt.053 .001.02/.001.08, camt.054): what the treasury sees."""

import pytest

from cases.models import Case
from payments.models import Payment, StatementImport, StatementLine
from payments.services.creation import payment_create
from tests.payments.conftest import sample

pytestmark = pytest.mark.django_db

URL = "/api/v1/municipalities/bergkamen/statements/"


@pytest.fixture
def girocode_payment(make_case):
    """girocode_payment(fee_cents, "RF…") → a pending GiroCode payment with that reference
    (the references of the hand-written samples)."""

    def _make(fee_cents: int, reference: str) -> Payment:
        case = make_case(fee_cents=fee_cents)
        payment = payment_create(payable=case, provider_key="girocode").payment
        Payment.objects.filter(pk=payment.pk).update(creditor_reference=reference)
        payment.refresh_from_db()
        return payment

    return _make


def upload(api, name, content=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = content if content is not None else sample(name)
    return api.post(URL, {"file": SimpleUploadedFile(name, data, "application/xml")})


def outcomes(body):
    return {line["bank_reference"]: line["outcome"] for line in body["lines"]}


def test_camt053_v08_books_exact_and_over_payments_and_reports_the_rest(
    api, town_admin, girocode_payment
):
    exact = girocode_payment(3000, "RF72BKM2026000001")
    typed = girocode_payment(4500, "RF45BKM2026000002")
    over = girocode_payment(2500, "RF18BKM2026000003")
    under = girocode_payment(6000, "RF88BKM2026000004")
    api.force_authenticate(town_admin)

    response = upload(api, "camt053_v08.xml")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["matched"] == 3
    assert body["overpaid"] == 1
    assert body["underpaid"] == 1
    assert body["unmatched"] == 4  # under-payment, two unknown references, one mistyped
    assert body["duplicates"] == 0
    lines = outcomes(body)
    assert lines["2026031700001"] == "matched"
    assert lines["2026031700002"] == "matched"  # reference typed into the free text
    assert lines["2026031700003"] == "overpaid"
    assert lines["2026031700004"] == "underpaid"
    assert lines["2026031700005"] == "unknown_reference"
    assert lines["2026031700006"] == "reversal"
    assert lines["2026031700007"] == "unknown_reference"
    assert lines["2026031700008"] == "no_reference"
    assert lines["2026031700009"] == "debit"
    for payment in (exact, typed, over):
        payment.refresh_from_db()
        assert payment.status == "paid"
        assert payment.payable.status == Case.Status.IN_REVIEW
    under.refresh_from_db()
    assert under.status == "pending"
    assert under.payable.status == Case.Status.AWAITING_PAYMENT
    assert over.payable.events.filter(comment__contains="10,00").exists()  # surplus noted


def test_the_same_file_twice_matches_nothing_new(api, town_admin, girocode_payment):
    girocode_payment(3000, "RF72BKM2026000001")
    api.force_authenticate(town_admin)
    upload(api, "camt053_v08.xml")

    again = upload(api, "camt053_v08.xml")

    assert again.status_code == 200
    body = again.json()
    assert body["duplicate_file"] is True
    assert body["matched"] == 0
    assert body["duplicates"] == 9
    assert StatementImport.objects.count() == 1
    assert StatementLine.objects.count() == 9


def test_a_new_file_with_lines_seen_before_books_them_once(api, town_admin, girocode_payment):
    payment = girocode_payment(3000, "RF72BKM2026000001")
    api.force_authenticate(town_admin)
    upload(api, "camt053_v08.xml")
    reprinted = sample("camt053_v08.xml").replace(b"<MsgId>", b"<MsgId>again-")

    body = upload(api, "again.xml", reprinted).json()

    assert body["duplicate_file"] is False
    assert body["duplicates"] == 9
    assert body["matched"] == 0
    assert payment.payable.events.filter(type="payment_received").count() == 1


def test_camt053_v02_splits_batch_bookings_and_ignores_reversal_and_debit(
    api, town_admin, girocode_payment
):
    girocode_payment(3000, "RF72BKM2026000001")
    second = girocode_payment(4500, "RF45BKM2026000002")
    third = girocode_payment(2500, "RF18BKM2026000003")
    api.force_authenticate(town_admin)

    body = upload(api, "camt053_v02.xml").json()

    assert body["matched"] == 3
    kinds = sorted(line["outcome"] for line in body["lines"])
    assert kinds == ["debit", "matched", "matched", "matched", "reversal"]
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == third.status == "paid"


def test_camt054_double_payment_is_reported_and_pending_credit_is_not_stored(
    api, town_admin, girocode_payment
):
    payment = girocode_payment(4000, "RF34BKM2026000006")
    api.force_authenticate(town_admin)

    body = upload(api, "camt054_v08.xml").json()

    kinds = [line["outcome"] for line in body["lines"]]
    assert kinds.count("matched") == 1
    assert kinds.count("already_paid") == 1
    assert "not_booked" in kinds
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert payment.payable.events.filter(type="payment_duplicate").exists()
    assert StatementLine.objects.count() == len(kinds) - 1


def test_money_for_a_cancelled_bank_transfer_attempt_still_pays_the_case(
    api, town_admin, girocode_payment
):
    payment = girocode_payment(3000, "RF72BKM2026000001")
    Payment.objects.filter(pk=payment.pk).update(status="cancelled")
    api.force_authenticate(town_admin)

    body = upload(api, "camt053_v08.xml").json()

    assert outcomes(body)["2026031700001"] == "matched"
    payment.refresh_from_db()
    assert payment.status == "paid"


@pytest.mark.parametrize("name", ["bomb.xml", "xxe.xml"])
def test_xml_bomb_and_external_entity_are_refused(api, town_admin, name):
    api.force_authenticate(town_admin)

    response = upload(api, name)

    assert response.status_code == 400
    assert "file" in response.json()["errors"]
    assert not StatementImport.objects.exists()


def test_statement_of_another_account_is_refused(api, town_admin):
    api.force_authenticate(town_admin)
    other = sample("camt053_v08.xml").replace(
        b"<IBAN>DE81443500600000100404</IBAN>", b"<IBAN>DE02120300000000202051</IBAN>"
    )

    response = upload(api, "other.xml", other)

    assert response.status_code == 400
    assert not StatementImport.objects.exists()


def test_only_the_towns_municipal_admin_may_import(api, clerk, stranger):
    assert upload(api, "camt053_v08.xml").status_code in (401, 403)
    for user in (clerk, stranger):
        api.force_authenticate(user)
        assert upload(api, "camt053_v08.xml").status_code == 404
    assert not StatementImport.objects.exists()


def test_missing_file_is_a_validation_error(api, town_admin):
    api.force_authenticate(town_admin)
    response = api.post(URL, {}, format="multipart")
    assert response.status_code == 400


def test_upload_page_shows_the_report(
    client, town_admin, girocode_payment, django_assert_max_num_queries
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    girocode_payment(3000, "RF72BKM2026000001")
    client.force_login(town_admin)
    page = "/payments/statements/bergkamen/"
    with django_assert_max_num_queries(12):
        assert client.get(page).status_code == 200

    response = client.post(
        page, {"file": SimpleUploadedFile("s.xml", sample("camt053_v08.xml"), "text/xml")}
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert "RF72BKM2026000001" in text
    assert 'id="report"' in text
    with django_assert_max_num_queries(12):
        assert client.get(page).status_code == 200


def test_upload_page_shows_a_readable_error_for_a_bad_file(client, town_admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(town_admin)
    response = client.post(
        "/payments/statements/bergkamen/",
        {"file": SimpleUploadedFile("x.xml", sample("xxe.xml"), "text/xml")},
    )

    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()


def test_upload_page_is_404_for_other_people(client, clerk):
    client.force_login(clerk)
    assert client.get("/payments/statements/bergkamen/").status_code == 404
