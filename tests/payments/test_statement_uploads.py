"""Statement uploads as banks deliver them: accounts named by Acct/Id/Othr (accepted when
they are the town's account), and ZIP files of statements — imported whole, or refused
with a clear reason and nothing booked when unsafe (names outside the archive, zip bombs,
too many or unknown files, password protection)."""

import io
import random
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from payments.models import Payment, StatementImport
from payments.services.creation import payment_create
from tests.payments.camt import Credit, camt053

pytestmark = pytest.mark.django_db
#: Bergkamen's fee account DE81 4435 0060 0000 1004 04: bank code 44350060, account
#: number 0000100404, at the bank with BIC WELADED1UNN (tests/payments/conftest.py).


def pending(case) -> Payment:
    return payment_create(payable=case, provider_key="girocode").payment


def upload(client, admin, data: bytes, name: str):
    client.force_login(admin)
    return client.post("/payments/statements/bergkamen/", {"file": SimpleUploadedFile(name, data)})


def upload_api(api, admin, data: bytes, name: str):
    api.force_authenticate(admin)
    return api.post(
        "/api/v1/municipalities/bergkamen/statements/",
        {"file": SimpleUploadedFile(name, data)},
        format="multipart",
    )


def zipped(members: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# --- Acct/Id/Othr ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "account",
    [
        {"other": "100404", "servicer_bic": "WELADED1UNN"},  # account number at its bank
        {"other": "0000100404", "servicer_bank_code": "44350060"},  # with the bank code
        {"other": "443500600000100404"},  # the BBAN
        {"other": "DE81 4435 0060 0000 1004 04"},  # the IBAN written into Othr/Id
        {"other": "100404"},  # the account number alone: the town's own upload
    ],
)
def test_an_account_given_as_othr_is_accepted_when_it_is_the_towns(api, case, town_admin, account):
    payment = pending(case)

    response = upload_api(
        api,
        town_admin,
        camt053([Credit("30.00", payment.creditor_reference)], **account),
        "auszug.xml",
    )

    assert response.status_code == 200, response.content
    assert response.json()["matched"] == 1
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert StatementImport.objects.get().iban == "DE81443500600000100404"


@pytest.mark.parametrize(
    "account",
    [
        {"other": "100404", "servicer_bank_code": "37040044"},  # same number, another bank
        {"other": "100404", "servicer_bic": "COBADEFFXXX"},
        {"other": "999999", "servicer_bic": "WELADED1UNN"},  # another account
        {"other": "370400440532013000"},  # another account's BBAN
    ],
)
def test_an_othr_account_that_is_not_the_towns_is_refused(api, case, town_admin, account):
    payment = pending(case)

    response = upload_api(
        api,
        town_admin,
        camt053([Credit("30.00", payment.creditor_reference)], **account),
        "auszug.xml",
    )

    assert response.status_code == 400
    assert account["other"] in response.json()["errors"]["file"][0]
    payment.refresh_from_db()
    assert payment.status == "pending"
    assert not StatementImport.objects.exists()


# --- ZIP files ---------------------------------------------------------------------------


def test_a_zip_of_statements_is_imported_file_by_file(api, client, case, make_case, town_admin):
    first, second = pending(case), pending(make_case(fee_cents=2000))
    archive = zipped(
        {
            "2026-11-27/auszug-1.xml": camt053(
                [Credit("30.00", first.creditor_reference, bank_reference="20261127-1")],
                message_id="STMT-1",
            ),
            "2026-11-28/auszug-2.xml": camt053(
                [
                    Credit(
                        "20.00",
                        second.creditor_reference,
                        debtor_name="Nguyễn Thị Minh Khai",
                        bank_reference="20261128-1",
                    )
                ],
                message_id="STMT-2",
            ),
            "__MACOSX/2026-11-27/._auszug-1.xml": b"\x00\x05\x16\x07",  # a Mac's leftover
        }
    )

    response = upload_api(api, town_admin, archive, "kontoauszuege-november.zip")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["matched"], body["unmatched"], body["duplicates"]) == (2, 0, 0)
    assert [file["matched"] for file in body["files"]] == [1, 1]
    assert Payment.objects.filter(status="paid").count() == 2
    names = sorted(StatementImport.objects.values_list("filename", flat=True))
    assert names == [
        "kontoauszuege-november.zip/2026-11-27/auszug-1.xml",
        "kontoauszuege-november.zip/2026-11-28/auszug-2.xml",
    ]
    # The same ZIP again books nothing; the page shows each file's report.
    page = upload(client, town_admin, archive, "kontoauszuege-november.zip")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Datei 1 von 2" in text and "Datei 2 von 2" in text
    assert "Nguyễn Thị Minh Khai" in text


def _refused(api, town_admin, archive, *phrases):
    response = upload_api(api, town_admin, archive, "auszuege.zip")
    assert response.status_code == 400, response.content
    message = response.json()["errors"]["file"][0]
    for phrase in phrases:
        assert phrase in message, message
    assert not StatementImport.objects.exists()
    assert not Payment.objects.filter(status="paid").exists()
    return message


def test_a_zip_with_a_name_outside_the_archive_is_refused(api, case, town_admin):
    payment = pending(case)
    statement = camt053([Credit("30.00", payment.creditor_reference)])

    _refused(api, town_admin, zipped({"../../etc/auszug.xml": statement}), "../../etc/auszug.xml")
    _refused(api, town_admin, zipped({"/tmp/auszug.xml": statement}), "/tmp/auszug.xml")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(api, case, town_admin):
    pending(case)
    big = b" " * (21 * 1024 * 1024)  # more than a statement may be (20 MiB), packs to ~20 kB

    _refused(api, town_admin, zipped({"auszug.xml": big}), "auszug.xml", "MB")
    dense = b"<a/>" + b"\x00" * (3 * 1024 * 1024)  # 3 MiB that pack to ~3 kB
    _refused(api, town_admin, zipped({"dicht.xml": dense}), "dicht.xml", "Zip-Bombe")


def test_a_zip_that_unpacks_to_too_much_altogether_is_refused(api, case, town_admin):
    pending(case)
    # Three members under the 20 MiB limit each, compressing like text (about 100:1), but
    # 57 MiB together: more than the 50 MiB an upload may unpack to.
    noise = random.Random(18).randbytes
    member = b"".join(noise(8) + b" " * 1016 for _ in range(19 * 1024))
    members = {f"auszug-{n}.xml": member for n in range(3)}

    _refused(api, town_admin, zipped(members), "50")


def test_a_zip_with_other_files_asks_to_unpack_it(api, case, town_admin):
    payment = pending(case)
    archive = zipped(
        {
            "auszug.xml": camt053([Credit("30.00", payment.creditor_reference)]),
            "auszug.pdf": b"%PDF-1.7",
        }
    )

    _refused(api, town_admin, archive, "auszug.pdf", "entpacken")
    _refused(api, town_admin, zipped({"innen.zip": zipped({"a.xml": b"<a/>"})}), "innen.zip")


def test_a_zip_with_too_many_files_or_none_is_refused(api, town_admin):
    _refused(api, town_admin, zipped({f"{n}.xml": b"<a/>" for n in range(101)}), "101", "100")
    _refused(api, town_admin, zipped({"leer/": b""}), "keinen Kontoauszug")


def test_a_password_protected_zip_is_refused(api, case, town_admin):
    payment = pending(case)
    archive = bytearray(
        zipped({"auszug.xml": camt053([Credit("30.00", payment.creditor_reference)])})
    )
    # Mark the member encrypted, as an archiver does with a password: bit 0 of the general
    # purpose flags, in the local header (offset 6) and the central directory (offset 8).
    archive[6] |= 0x1
    archive[archive.index(b"PK\x01\x02") + 8] |= 0x1

    _refused(api, town_admin, bytes(archive), "Passwort")


def test_a_zip_with_one_foreign_statement_books_nothing(api, case, make_case, town_admin):
    first, second = pending(case), pending(make_case(fee_cents=2000))
    archive = zipped(
        {
            "auszug-1.xml": camt053([Credit("30.00", first.creditor_reference)]),
            "auszug-2.xml": camt053(
                [Credit("20.00", second.creditor_reference)], iban="DE02120300000000202051"
            ),
        }
    )

    _refused(api, town_admin, archive, "auszug-2.xml", "DE02120300000000202051")


def test_a_broken_zip_is_refused_with_a_reason(api, town_admin):
    archive = zipped({"auszug.xml": b"<Document/>"})

    _refused(api, town_admin, archive[:40], "ZIP")
