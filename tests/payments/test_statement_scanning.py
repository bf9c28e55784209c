"""Bank-statement uploads (treasury page and API) and the virus check, against a real clamd
(tests/clamd.py): an infected upload is refused before it is read as a statement and books
nothing; while clamd is down the upload is refused (API 503, the page says "try again
later"); a clean statement is imported."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import AuditEntry
from payments.models import Payment, StatementImport, StatementLine
from payments.services.creation import payment_create
from tests.payments.camt import Credit, camt053

pytestmark = pytest.mark.django_db

REFUSED = "Die Datei wurde von der Virenprüfung abgelehnt."
LATER = "Die Virenprüfung ist gerade nicht erreichbar. Bitte versuchen Sie es später noch einmal."


@pytest.fixture
def statement(case) -> tuple[Payment, bytes]:
    payment = payment_create(payable=case, provider_key="girocode").payment
    return payment, camt053([Credit("30.00", payment.creditor_reference)])


def infected(statement_bytes: bytes, eicar: bytes) -> bytes:
    """A well-formed statement carrying the EICAR file in an XML comment."""
    return statement_bytes.replace(b"<Document", b"<!-- " + eicar + b" -->\n<Document", 1)


def upload_api(api, admin, data: bytes):
    api.force_authenticate(admin)
    return api.post(
        "/api/v1/municipalities/bergkamen/statements/",
        {"file": SimpleUploadedFile("Kontoauszug 2026-11.xml", data)},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="de",
    )


def upload_page(client, admin, data: bytes):
    client.force_login(admin)
    return client.post(
        "/payments/statements/bergkamen/",
        {"file": SimpleUploadedFile("Kontoauszug 2026-11.xml", data)},
    )


def assert_nothing_booked(payment: Payment) -> None:
    assert not StatementImport.objects.exists() and not StatementLine.objects.exists()
    payment.refresh_from_db()
    assert payment.status != "paid"


@pytest.mark.parametrize("path", ["api", "page"])
def test_an_infected_statement_is_refused_and_books_nothing(
    path, api, client, town_admin, statement, upload_scanning, eicar
):
    payment, data = statement
    carrying = infected(data, eicar)
    assert b"<Document" in data and eicar in carrying

    if path == "api":
        response = upload_api(api, town_admin, carrying)
        assert response.status_code == 400
        assert response.json()["errors"] == {"file": [REFUSED]}
    else:
        response = upload_page(client, town_admin, carrying)
        assert response.status_code == 400
        assert REFUSED in response.content.decode()

    assert_nothing_booked(payment)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REFUSE)
    assert entry.changes["signature"] == "Eicar-Test-Signature.UNOFFICIAL"
    assert entry.actor == town_admin and entry.municipality.slug == "bergkamen"


def test_a_clean_statement_is_scanned_and_imported(api, town_admin, statement, upload_scanning):
    payment, data = statement
    response = upload_api(api, town_admin, data)
    assert response.status_code == 200, response.content
    payment.refresh_from_db()
    assert payment.status == "paid"


def test_while_clamd_is_down_statements_are_refused_and_pass_after(
    api, client, town_admin, statement, clamd_factory, settings
):
    payment, data = statement
    daemon = clamd_factory()
    settings.UPLOAD_SCAN_URL = daemon.tcp_url
    daemon.stop()

    response = upload_api(api, town_admin, data)
    assert response.status_code == 503
    assert response.json()["errors"] == {"file": [LATER]}
    page = upload_page(client, town_admin, data)
    assert page.status_code == 503
    assert LATER in page.content.decode()
    assert_nothing_booked(payment)

    daemon.start()
    assert upload_api(api, town_admin, data).status_code == 200
    payment.refresh_from_db()
    assert payment.status == "paid"
