"""The case's PDFs as the applicant receives them (docs/documents.md): a case filed through
the API and decided by a clerk through the API; the receipt comes by e-mail, the Bescheid
is stored with the case and mailed. Read back from the outside with pypdf."""

import io

import pypdf
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from cases.models import Attachment, Case
from catalog.models import ServiceDefinition
from core.pdf import format_date
from tests.conftest import DEMO_ANSWERS
from tests.core.test_pdf import catalog, structure, text_of, xmp, xmp_value

NAME = "Łukasz Yılmaz–Şahin"
FIRM = "„Nguyễn Thị Minh Khai“"
REASONS = "Die Gebühr von 26,00 € ist bis zum „Monatsende“ zu zahlen – danke."
ANSWERS = {
    **DEMO_ANSWERS["gewerbe-anmelden"],
    "familienname": "Yılmaz–Şahin",
    "vornamen": "Łukasz",
    "firmenname": FIRM,
}
PERSON = {k: ANSWERS[k] for k in ("familienname", "vornamen", "geburtsdatum", "strasse")}
HUNDESTEUER = {
    **PERSON,
    "hausnummer": "1",
    "plz": "59174",
    "ort": "Kamen",
    "anzahl_hunde": 1,
    "rasse": "Kangal",
    "haltungsbeginn": "2026-11-01",
}


def _file(api, town, service, data, language="de"):
    response = api.post(
        f"/api/v1/municipalities/{town}/cases/",
        {
            "service": service,
            "applicant": {"name": NAME, "email": "lukasz@example.org"},
            "data": data,
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 201, response.content
    return Case.objects.get(reference=response.json()["reference"])


def _decide(api, case, action, comment, clerk):
    api.force_authenticate(get_user_model().objects.get(username=clerk))
    response = api.post(
        f"/api/v1/cases/{case.reference}/actions/",
        {"action": action, "comment": comment},
        format="json",
    )
    api.force_authenticate(None)
    assert response.status_code == 200, response.content


@pytest.fixture
def decided(demo, api, django_capture_on_commit_callbacks):
    """Bönen's business registration (Kamen processes it for Bönen), filed and approved."""
    with django_capture_on_commit_callbacks(execute=True):
        case = _file(api, "boenen", "gewerbe-anmelden", ANSWERS)
    [receipt_mail] = [m for m in mail.outbox if "lukasz@example.org" in m.to]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _decide(api, case, "approve", REASONS, "clerk-kamen")
    document = Attachment.objects.get(case=case, kind=Attachment.Kind.DOCUMENT)
    with document.file.open("rb") as handle:
        bescheid = handle.read()
    [(receipt_name, receipt, _mime)] = receipt_mail.attachments
    return {
        "case": case,
        "receipt": receipt,
        "receipt_name": receipt_name,
        "bescheid": bescheid,
        "bescheid_name": document.original_name,
    }


def test_names_answers_and_euros_come_out_exactly_and_nothing_turns_into_a_question_mark(
    decided,
):
    receipt, bescheid = text_of(decided["receipt"]), text_of(decided["bescheid"])
    for text in (receipt, bescheid):
        assert NAME in text
        assert "26,00\u00a0€" in text
        assert "?" not in text, text
    assert FIRM in receipt
    assert "Bönen" in receipt and "Bahnhofstraße" in receipt
    assert "01.04.1980" in receipt  # a date answer, German
    assert "Registernummer —" in receipt  # an empty optional answer
    assert REASONS in bescheid


def test_file_names_are_german_for_a_german_case(decided):
    reference = decided["case"].reference
    assert decided["receipt_name"] == f"Eingangsbestaetigung-{reference}.pdf"
    assert decided["bescheid_name"] == f"Bescheid-{reference}.pdf"


def test_the_bescheid_of_a_delegated_case_names_both_and_carries_the_remedy(decided):
    case, text = decided["case"], text_of(decided["bescheid"])
    assert "Stadt Kamen" in text and "Rathausplatz 1 59174 Kamen" in text
    assert "im Auftrag der Gemeinde Bönen" in text
    assert f"Aktenzeichen {case.reference}" in text
    assert f"Kamen, {format_date(timezone.localdate(), 'de')}" in text
    assert "Rechtsbehelfsbelehrung" in text
    # Gewerbe anmelden has no remedy of its own: the district's default.
    assert "Verwaltungsgericht Gelsenkirchen" in text


@pytest.mark.parametrize("document", ["receipt", "bescheid"])
def test_the_pdfs_are_tagged_pdfa_with_language_and_embedded_fonts(decided, document):
    pdf = decided[document]
    root = catalog(pdf)
    assert root["/Lang"] == "de"
    assert root["/MarkInfo"]["/Marked"].value is True
    types = structure(pdf)
    assert types[0] == "/Document" and "/H1" in types and "/P" in types
    assert xmp_value(xmp(pdf), "pdfaid", "part") == "3"
    assert xmp_value(xmp(pdf), "pdfaid", "conformance") == "A"
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        assert b"/MCID" in page.get_contents().get_data()
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            described = font["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in described["/FontDescriptor"].get_object()


def test_a_service_with_its_own_remedy_prints_it_in_the_cases_language(
    demo, api, django_capture_on_commit_callbacks
):
    service = ServiceDefinition.objects.filter(key="hundesteuer-anmeldung").latest("version")
    assert "aufschiebende Wirkung" in service.legal_remedy["de"]
    with django_capture_on_commit_callbacks(execute=True):
        case = _file(api, "kamen", "hundesteuer-anmeldung", HUNDESTEUER, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        _decide(api, case, "reject", "Proof of the dog's origin is missing.", "clerk-kamen")
    document = Attachment.objects.get(case=case, kind=Attachment.Kind.DOCUMENT)
    with document.file.open("rb") as handle:
        text = text_of(handle.read())
    assert document.original_name == f"Decision-{case.reference}.pdf"
    assert "does not suspend the decision" in text  # the service's own, in English
    assert "Administrative Court of Gelsenkirchen" in text
    assert "Stadt Kamen" in text and "on behalf of" not in text
    assert NAME in text and "€96.00" in text and "?" not in text
