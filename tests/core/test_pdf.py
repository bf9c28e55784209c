"""The Bescheid and the receipt as PDF: what a reader, a screen reader and an archive get.

Each document is rendered once per module (WeasyPrint, real fonts) and read back with
pypdf, the way any other program would read it.
"""

import datetime
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils.translation.template import templatize
from pypdf.generic import ContentStream

from core.pdf import (
    PdfError,
    bescheid_pdf,
    format_answer,
    format_date,
    format_money,
    pdf_filename,
    receipt_pdf,
    render_pdf,
)

NAME = "Łukasz Yılmaz–Şahin"
STREET = "„Nguyễn Thị Minh Khai“"
LEGAL_REMEDY = (
    "Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Klage beim "
    "Verwaltungsgericht Gelsenkirchen, Bahnhofsvorplatz 3, 45879 Gelsenkirchen, erhoben "
    "werden.\n\nDie Klage ist schriftlich oder zur Niederschrift zu erheben."
)
NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "dc": "http://purl.org/dc/elements/1.1/",
}

KAMEN = {
    "name": "Stadt Kamen",
    "department": "Bürgerbüro",
    "address_lines": ["Rathausplatz 1", "59174 Kamen"],
    "place": "Kamen",
    "contact_lines": ["Telefon 02307 148-0", "buergerbuero@stadt-kamen.de"],
}
BOENEN = {
    "name": "Gemeinde Bönen",
    "address_lines": ["Am Bahnhof 7", "59199 Bönen"],
    "place": "Bönen",
}


def bescheid(**changes):
    """Kamen decides for Bönen (delegated), approves, a clerk signs, the fee is paid."""
    context = {
        "reference": "BOE-2026-7KQ4M2",
        "date": datetime.date(2026, 11, 30),
        "filed_on": datetime.date(2026, 11, 12),
        "authority": KAMEN,
        "on_behalf_of": "Gemeinde Bönen",
        "addressee": {"name": NAME, "address_lines": ["Bahnhofstraße 12 a", "59199 Bönen"]},
        "service_name": "Sondernutzungserlaubnis",
        "decision": "approved",
        "reasons": f"Die Straße {STREET} bleibt befahrbar.\n\nZweiter Absatz – mit <b>Markup</b>.",
        "fee": {"amount_cents": 1250, "status": "paid", "paid_on": datetime.date(2026, 11, 13)},
        "legal_remedy": LEGAL_REMEDY,
        "clerk_name": "Jana Kowalczyk",
    }
    return {**context, **changes}


def answers(extra: int = 0):
    listed = [
        {"label": "Straße", "kind": "text", "value": STREET},
        {"label": "Beginn", "kind": "date", "value": "2026-12-01"},
        {"label": "Kaution", "kind": "amount", "value": 123450},
        {"label": "Fläche in m²", "kind": "decimal", "value": "12.5"},
        {"label": "Gewerblich", "kind": "boolean", "value": False},
        {"label": "Art", "kind": "choice", "value": "Gerüst – Fassade"},
        {"label": "Bemerkung", "kind": "textarea", "value": ""},
        {"label": "Telefon", "kind": "phone", "value": None},
        {"label": "Nachweise", "kind": "multichoice", "value": []},
        {"label": "Lageplan", "kind": "file", "value": ["Lageplan–Süd.pdf", "Foto ễ.jpg"]},
    ]
    listed += [{"label": f"Zeile {i}", "kind": "text", "value": f"Wert {i}"} for i in range(extra)]
    return listed


def receipt(extra_answers: int = 0, **changes):
    context = {
        "reference": "BOE-2026-7KQ4M2",
        "submitted_at": datetime.datetime(2026, 11, 30, 13, 5, tzinfo=datetime.UTC),
        "portal_name": "Kreisportal Unna",
        "municipality": BOENEN,
        "processing_authority": "Stadt Kamen",
        "service_name": "Sondernutzungserlaubnis",
        "applicant": {"name": NAME, "email": "lukasz@example.org"},
        "steps": [{"title": "Angaben zur Nutzung", "answers": answers(extra_answers)}],
        "fee": {"amount_cents": 1250, "status": "open"},
    }
    return {**context, **changes}


def text_of(pdf: bytes) -> str:
    """The text a reader copies out, lines joined by spaces (no-break spaces kept)."""
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    return re.sub(r"[ \n]+", " ", " ".join(page.extract_text() for page in pages))


def assert_reads(text: str, *expected: str) -> None:
    missing = [phrase for phrase in expected if phrase not in text]
    assert not missing, f"{missing} not in {text}"


@pytest.fixture(scope="module")
def documents() -> dict[str, bytes]:
    return {
        "bescheid-de": bescheid_pdf(bescheid(), language="de"),
        "bescheid-en": bescheid_pdf(bescheid(), language="en"),
        "receipt-de": receipt_pdf(receipt(), language="de"),
        "receipt-en": receipt_pdf(receipt(), language="en"),
    }


ALL = ["bescheid-de", "bescheid-en", "receipt-de", "receipt-en"]


# --- text: every character survives --------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_names_quotes_dashes_and_euros_come_out_exactly(documents, name):
    text = text_of(documents[name])
    assert NAME in text
    assert STREET in text
    assert "12,50\u00a0€" in text if name.endswith("de") else "€12.50" in text
    assert "?" not in text, text


def test_german_bescheid_reads_as_a_bescheid(documents):
    text = text_of(documents["bescheid-de"])
    assert_reads(
        text,
        "Kamen, 30. November 2026",
        "Aktenzeichen BOE-2026-7KQ4M2",
        "Ihr Antrag vom 12. November 2026",
        "Bescheid zu Ihrem Antrag: Sondernutzungserlaubnis",
        "Guten Tag Łukasz Yılmaz–Şahin,",
        "Ihrem Antrag vom 12. November 2026 wird stattgegeben.",
        "Für diese Entscheidung wird eine Gebühr von 12,50\u00a0€ erhoben.",
        "Bezahlt am 13. November 2026.",
        "Mit freundlichen Grüßen Im Auftrag Jana Kowalczyk",
        "Seite 1 von 1",
    )
    assert "2026-11" not in text  # no ISO dates


def test_english_bescheid_is_english(documents):
    text = text_of(documents["bescheid-en"])
    assert_reads(
        text,
        "Kamen, 30 November 2026",
        "Reference BOE-2026-7KQ4M2",
        "Your request of 12 November 2026 is granted.",
        "A fee of €12.50 is charged for this decision.",
        "Information on legal remedies",
        "By order Jana Kowalczyk",
        "Page 1 of 1",
    )


def test_delegated_bescheid_names_the_authority_and_the_town_it_decides_for(documents):
    text = text_of(documents["bescheid-de"])
    assert text.startswith("Stadt Kamen Bürgerbüro im Auftrag der Gemeinde Bönen")
    assert "Stadt Kamen · Rathausplatz 1 · 59174 Kamen" in text  # return address
    assert (
        "Entscheidende Behörde: Stadt Kamen, im Auftrag der Gemeinde Bönen "
        "(interkommunale Zusammenarbeit)." in text
    )
    assert "on behalf of Gemeinde Bönen" in text_of(documents["bescheid-en"])


def test_own_decision_has_no_on_behalf_line_and_an_unsigned_one_says_so():
    pdf = bescheid_pdf(
        bescheid(on_behalf_of=None, decision="rejected", clerk_name=None, fee=None),
        language="de",
    )
    text = text_of(pdf)
    assert "im Auftrag der" not in text and "Im Auftrag" not in text
    assert "Ihr Antrag vom 12. November 2026 wird abgelehnt." in text
    assert "Begründung" in text
    assert "Diese Entscheidung ist gebührenfrei." in text
    assert "Dieses Schreiben wurde elektronisch erstellt und ist ohne Unterschrift gültig." in text


def test_rechtsbehelfsbelehrung_and_reasons_keep_their_paragraphs_and_markup_stays_text(
    documents,
):
    text = text_of(documents["bescheid-de"])
    assert "Rechtsbehelfsbelehrung " + " ".join(LEGAL_REMEDY.split()) in text
    assert "Zweiter Absatz – mit <b>Markup</b>." in text
    lines = pypdf.PdfReader(io.BytesIO(documents["bescheid-de"])).pages[0].extract_text()
    assert "bleibt befahrbar.\nZweiter Absatz" in lines  # two paragraphs, not one
    assert "erhoben werden.\nDie Klage" in lines


def test_receipt_lists_answers_formatted_for_german_readers(documents):
    text = text_of(documents["receipt-de"])
    assert_reads(
        text,
        "Eingangsbestätigung Ihres Antrags",
        "Aktenzeichen BOE-2026-7KQ4M2",
        "Eingereicht 30. November 2026, 14:05 Uhr",  # 13:05 UTC in Kamen
        "Eingereicht bei Gemeinde Bönen",
        "Bearbeitet von Stadt Kamen",
        "Gebühr 12,50\u00a0€ · Noch nicht bezahlt.",
        "Angaben zur Nutzung",
        "Beginn 01.12.2026",
        "Kaution 1.234,50\u00a0€",
        "Fläche in m² 12,5",
        "Gewerblich Nein",
        "Art Gerüst – Fassade",
        "Lageplan Lageplan–Süd.pdf Foto ễ.jpg",
    )
    for empty in ("Bemerkung", "Telefon", "Nachweise"):
        assert f"{empty} —" in text


def test_receipt_in_english(documents):
    text = text_of(documents["receipt-en"])
    assert_reads(
        text,
        "Receipt of your request",
        "Submitted 30 November 2026, 14:05",
        "Kaution €1,234.50",
        "Beginn 1 Dec 2026",
        "Gewerblich No",
        "Bemerkung —",
    )


def test_long_receipt_numbers_its_pages_and_repeats_the_reference():
    pdf = receipt_pdf(receipt(extra_answers=60), language="de")
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) >= 2
    last = len(pages)
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert f"Seite {number} von {last}" in text
        assert "BOE-2026-7KQ4M2" in text
    assert "Zeile 59 Wert 59" in text_of(pdf)


# --- an archivable, accessible PDF ---------------------------------------------------------


def catalog(pdf: bytes):
    return pypdf.PdfReader(io.BytesIO(pdf)).trailer["/Root"]


def structure(pdf: bytes) -> list[str]:
    """The structure types of the tagged PDF, depth first."""
    found = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, list):
            for kid in node:
                walk(kid)
        elif isinstance(node, dict) and "/S" in node:
            found.append(str(node["/S"]))
            if "/K" in node:
                walk(node["/K"])

    walk(catalog(pdf)["/StructTreeRoot"]["/K"])
    return found


def xmp(pdf: bytes) -> ET.Element:
    return ET.fromstring(catalog(pdf)["/Metadata"].get_object().get_data())


def xmp_value(root: ET.Element, prefix: str, name: str) -> str | None:
    key = f"{{{NS[prefix]}}}{name}"
    for description in root.iter(f"{{{NS['rdf']}}}Description"):
        if key in description.attrib:
            return description.attrib[key]
        element = description.find(f"{prefix}:{name}", NS)
        if element is not None:
            return "".join(element.itertext()).strip()
    return None


@pytest.mark.parametrize("name", ALL)
def test_catalog_is_tagged_with_language_and_title(documents, name):
    pdf = documents[name]
    root = catalog(pdf)
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"].value is True
    assert root["/Lang"] == name[-2:]
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    title = pypdf.PdfReader(io.BytesIO(pdf)).metadata.title
    expected = {
        "bescheid-de": "Bescheid BOE-2026-7KQ4M2",
        "bescheid-en": "Decision BOE-2026-7KQ4M2",
        "receipt-de": "Eingangsbestätigung BOE-2026-7KQ4M2",
        "receipt-en": "Receipt BOE-2026-7KQ4M2",
    }[name]
    assert title == expected
    assert xmp_value(xmp(pdf), "dc", "title") == expected


@pytest.mark.parametrize("name", ALL)
def test_identified_as_pdfa_3a_with_an_srgb_output_intent(documents, name):
    root = catalog(documents[name])
    metadata = xmp(documents[name])
    assert xmp_value(metadata, "pdfaid", "part") == "3"
    assert xmp_value(metadata, "pdfaid", "conformance") == "A"
    intents = [intent.get_object() for intent in root["/OutputIntents"]]
    assert [str(intent["/S"]) for intent in intents] == ["/GTS_PDFA1"]
    assert "/DestOutputProfile" in intents[0]


@pytest.mark.parametrize("name", ALL)
def test_structure_has_headings_tables_and_paragraphs(documents, name):
    types = structure(documents[name])
    assert types[0] == "/Document"
    assert "/H1" in types and "/H2" in types and "/P" in types
    assert {"/Table", "/TR", "/TH", "/TD"} <= set(types)


@pytest.mark.parametrize("name", ALL)
def test_page_content_is_marked_and_linked_to_the_structure(documents, name):
    reader = pypdf.PdfReader(io.BytesIO(documents[name]))
    parents = reader.trailer["/Root"]["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    by_page = {parents[i]: parents[i + 1].get_object() for i in range(0, len(parents), 2)}
    for page in reader.pages:
        operations = ContentStream(page.get_contents(), reader).operations
        mcids = [ops[1]["/MCID"] for ops, op in operations if op == b"BDC"]
        shown = [op for _ops, op in operations if op in (b"Tj", b"TJ")]
        assert mcids and len(mcids) >= len(shown) / 2
        elements = by_page[page["/StructParents"]]
        assert all(elements[mcid].get_object()["/S"] for mcid in mcids)


def fonts_of(pdf: bytes) -> Iterator[tuple[Any, Any]]:
    """Each font of each page with its font descriptor (a composite font's is its
    descendant's)."""
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            described = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            yield font, described["/FontDescriptor"].get_object()


@pytest.mark.parametrize("name", ALL)
def test_every_font_is_embedded_kern_font_with_unicode_map(documents, name):
    names = set()
    for font, descriptor in fonts_of(documents[name]):
        assert "/ToUnicode" in font
        assert {"/FontFile2", "/FontFile3", "/FontFile"} & set(descriptor), font["/BaseFont"]
        names.add(str(font["/BaseFont"]).split("+", 1)[1])
    assert names and all(n.startswith(("Fira-Sans", "Noto-Sans")) for n in names), names


# --- the helpers the case code uses --------------------------------------------------------


def test_file_names_follow_the_language():
    assert pdf_filename("bescheid", "BOE-2026-7KQ4M2", "de") == "Bescheid-BOE-2026-7KQ4M2.pdf"
    assert pdf_filename("bescheid", "BOE-2026-7KQ4M2", "en") == "Decision-BOE-2026-7KQ4M2.pdf"
    assert (
        pdf_filename("receipt", "BOE-2026-7KQ4M2", "de")
        == "Eingangsbestaetigung-BOE-2026-7KQ4M2.pdf"
    )
    assert pdf_filename("receipt", "BOE-2026-7KQ4M2", "en") == "Receipt-BOE-2026-7KQ4M2.pdf"
    assert pdf_filename("receipt", "../BOE 2026/x", "de") == "Eingangsbestaetigung-BOE2026x.pdf"


def test_amounts_dates_and_answers_per_language():
    assert format_money(1250, "de") == "12,50\u00a0€"
    assert format_money(123450, "en") == "€1,234.50"
    assert format_date(datetime.date(2026, 11, 30), "de") == "30. November 2026"
    assert format_date("2026-11-30", "en") == "30 November 2026"
    assert format_answer({"label": "x", "kind": "boolean", "value": True}, "de") == "Ja"
    assert format_answer({"label": "x", "kind": "integer", "value": 1500}, "de") == "1.500"
    assert (
        format_answer({"label": "x", "kind": "iban", "value": "DE59443500600000100800"}, "de")
        == "DE59 4435 0060 0000 1008 00"
    )
    assert format_answer({"label": "x", "kind": "multichoice", "value": ["A", "B"]}, "en") == (
        "A, B"
    )
    for empty in (None, "", []):
        assert format_answer({"label": "x", "kind": "text", "value": empty}, "de") == "—"
    with pytest.raises(ValueError, match="fr"):
        format_money(100, "fr")


def test_a_bescheid_without_rechtsbehelfsbelehrung_or_with_a_gap_is_refused():
    with pytest.raises(ValueError, match="legal_remedy"):
        bescheid_pdf(bescheid(legal_remedy="  "), language="de")
    incomplete = bescheid()
    del incomplete["filed_on"]
    with pytest.raises(ValueError, match="filed_on"):
        bescheid_pdf(incomplete, language="de")
    with pytest.raises(ValueError, match="authority.place"):
        bescheid_pdf(
            bescheid(authority={"name": "Stadt Kamen", "address_lines": []}), language="de"
        )
    with pytest.raises(ValueError, match="decision"):
        bescheid_pdf(bescheid(decision="maybe"), language="de")


@pytest.mark.parametrize(
    "source",
    ["http://127.0.0.1:9/logo.png", "https://example.org/logo.png", "file:///etc/hostname"],
)
def test_documents_fetch_nothing_but_their_own_stylesheet_and_fonts(settings, tmp_path, source):
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "probe.html").write_text(
        '{% extends "documents/_base.html" %}{% block content %}'
        f'<p>Text</p><img src="{source}" alt="Logo">{{% endblock %}}'
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    with pytest.raises(PdfError, match=re.escape(source)):
        render_pdf("documents/probe.html", {}, language="de", title="Probe")


# --- German first: the documents' strings are translated -----------------------------------


def test_every_string_of_the_documents_has_a_german_translation():
    base = Path(settings.BASE_DIR)
    sources = [
        templatize((base / p).read_text(), origin=p)
        for p in sorted(
            str(t.relative_to(base)) for t in (base / "templates" / "documents").glob("*.html")
        )
    ]
    sources.append((base / "core" / "pdf.py").read_text())
    wanted = set()
    for source in sources:
        for _line, message, _comments, context in extract(
            "python", io.BytesIO(source.encode()), keywords=DEFAULT_KEYWORDS
        ):
            wanted.add((message if isinstance(message, str) else message[0], context))
    with open(base / "locale" / "de" / "LC_MESSAGES" / "django.po", "rb") as po:
        catalog_de = read_po(po)
    assert len(wanted) > 30
    for msgid, context in sorted(wanted, key=str):
        message = catalog_de.get(msgid, context=context)
        assert message is not None and message.string and not message.fuzzy, (msgid, context)
