"""FIM import (catalog/fim): bad files get one clear FimImportError naming what and where,
and no result at all."""

from pathlib import Path

import pytest

from catalog.fim import FimImportError, import_fim

FIXTURES = Path(__file__).parent / "fim"
HUNDESTEUER = (FIXTURES / "hundesteuer-2.0.xml").read_bytes()
WOHNUNG = (FIXTURES / "wohnung-3.0.0.xml").read_bytes()


def refused(data: bytes, key: str = "hundesteuer-anmelden") -> FimImportError:
    with pytest.raises(FimImportError) as caught:
        import_fim(data, key=key)
    return caught.value


def line_of(data: bytes, fragment: str) -> int:
    text = data.decode("utf-8")
    return text[: text.index(fragment)].count("\n") + 1


def test_malformed_xml_names_the_problem_and_the_line():
    error = refused((FIXTURES / "malformed.xml").read_bytes())
    assert "not well-formed XML" in str(error)
    assert error.line is not None and error.line >= 20
    assert str(error).startswith(f"line {error.line}")


def test_a_file_in_another_namespace_is_refused_with_that_namespace():
    error = refused((FIXTURES / "wrong-namespace.xml").read_bytes())
    assert "http://docs.oasis-open.org/codelist/ns/genericode/1.0/" in str(error)
    assert "not an XDatenfelder namespace" in str(error)
    assert "urn:xoev-de:fim:standard:xdatenfelder_2" in str(error)
    assert error.element == "<CodeList>"


def test_an_unknown_xdatenfelder_version_is_refused_naming_the_versions_read():
    error = refused((FIXTURES / "unknown-version.xml").read_bytes())
    assert "XDatenfelder version '1.0' is not supported" in str(error)
    assert "2.0 and 3.0.0" in str(error)
    assert error.line == 3


def test_a_document_without_namespace_is_refused():
    error = refused(b"<xdatenfelder.stammdatenschema.0102/>")
    assert "'(none)'" in str(error)


def test_a_data_field_group_message_is_not_a_schema():
    data = WOHNUNG.replace(
        b"xdatenfelder.stammdatenschema.0102", b"xdatenfelder.datenfeldgruppe.0103"
    )
    error = refused(data)
    assert "'xdatenfelder.datenfeldgruppe.0103' message" in str(error)
    assert "Stammdatenschema" in str(error)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty."),
        (b"   \n", "the file is empty."),
        ("".encode("utf-16"), "not well-formed XML"),  # a byte order mark and nothing else
    ],
)
def test_an_empty_file_is_refused(data, message):
    assert message in str(refused(data))


def test_a_file_over_the_limit_is_refused_before_parsing():
    error = refused(b"<x>" + b" " * (10 * 1024 * 1024) + b"</x>")
    assert "larger than 10 MB" in str(error)


def test_bytes_are_required():
    with pytest.raises(TypeError):
        import_fim(HUNDESTEUER.decode("utf-8"), key="hundesteuer-anmelden")


ENTITY_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_2">
  <xdf:stammdatenschema><xdf:name>&lol2;</xdf:name></xdf:stammdatenschema>
</xdf:xdatenfelder.stammdatenschema.0102>"""

EXTERNAL_ENTITY = """<?xml version="1.0" encoding="UTF-16"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_2">
  <xdf:stammdatenschema><xdf:name>&secret;</xdf:name></xdf:stammdatenschema>
</xdf:xdatenfelder.stammdatenschema.0102>""".encode("utf-16")


@pytest.mark.parametrize("data", [ENTITY_BOMB, EXTERNAL_ENTITY], ids=["bomb", "external-utf16"])
def test_document_type_declarations_are_refused(data):
    error = refused(data)
    assert "document type" in str(error)
    assert "/etc/passwd" not in str(error) and "root:" not in str(error)


# --- missing or wrong parts, named with element and line --------------------------------


def test_a_data_field_without_feldart_names_the_field_and_its_line():
    fragment = b"<xdf:feldart><code>input</code></xdf:feldart>\n                <xdf:datentyp><code>num_int</code>"
    assert HUNDESTEUER.count(fragment) == 1
    data = HUNDESTEUER.replace(fragment, b"<xdf:datentyp><code>num_int</code>")
    error = refused(data)
    assert error.element == "<datenfeld> F99010214"
    assert "<feldart> is missing" in str(error)
    assert error.line == line_of(data, "<xdf:id>F99010214</xdf:id>") - 2


def test_an_unknown_datentyp_is_named_with_the_allowed_ones():
    data = WOHNUNG.replace(
        b"<xdf:datentyp><code>num_int</code></xdf:datentyp>",
        b"<xdf:datentyp><code>colour</code></xdf:datentyp>",
    )
    error = refused(data)
    assert error.element == "<datenfeld> F99020214"
    assert "unknown datentyp 'colour'" in str(error)
    assert "text_latin" in str(error) and "num_currency" in str(error)
    assert error.line == line_of(data, "<code>colour</code>")


def test_a_feldart_of_3_0_0_is_unknown_in_2_0():
    data = HUNDESTEUER.replace(
        b"<xdf:feldart><code>label</code></xdf:feldart>",
        b"<xdf:feldart><code>hidden</code></xdf:feldart>",
    )
    error = refused(data)
    assert "unknown feldart 'hidden'; XDatenfelder 2.0 allows input, select, label" in str(error)


@pytest.mark.parametrize("anzahl", [b"eins", b"1", b"2:1", b"0:0", b""])
def test_a_bad_multiplicity_is_refused(anzahl):
    data = HUNDESTEUER.replace(
        b"<xdf:anzahl>0:n</xdf:anzahl>", b"<xdf:anzahl>" + anzahl + b"</xdf:anzahl>"
    )
    error = refused(data)
    assert "multiplicity (anzahl)" in str(error)
    assert error.element == "<struktur> in G99010104"
    assert error.line == line_of(data, "<xdf:anzahl>" + anzahl.decode() + "</xdf:anzahl>")


def test_a_structure_without_element_is_refused():
    data = WOHNUNG.replace(
        b"""<xdf:anzahl>0:1</xdf:anzahl>
            <xdf:enthaelt>
              <xdf:datenfeld>
                <xdf:identifikation>
                  <xdf:id>F99020219</xdf:id>""",
        b"""<xdf:anzahl>0:1</xdf:anzahl>
            <xdf:enthaelt/>
            <xdf:enthaelt>
              <xdf:datenfeld>
                <xdf:identifikation>
                  <xdf:id>F99020219</xdf:id>""",
    )
    error = refused(data)
    assert "exactly one <datenfeld> or <datenfeldgruppe>" in str(error)
    assert error.element == "<struktur> in G99020104"


def test_an_element_without_id_is_refused():
    data = WOHNUNG.replace(b"<xdf:id>F99020212</xdf:id>", b"<xdf:id></xdf:id>")
    error = refused(data)
    assert "<identifikation><id> is missing" in str(error)
    assert error.element == "<datenfeld>"


def test_a_code_list_reference_without_urn_is_refused():
    data = WOHNUNG.replace(
        b"<xdf:canonicalIdentification>urn:de:dsmeld:schluesseltabelle:familienstand</xdf:canonicalIdentification>",
        b"",
    )
    error = refused(data)
    assert "canonicalIdentification is missing" in str(error)
    assert error.element == "<datenfeld> F99020206"


def test_a_message_without_schema_is_refused():
    data = b"""<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_3.0.0">
  <xdf:header><xdf:nachrichtID>x</xdf:nachrichtID></xdf:header>
</xdf:xdatenfelder.stammdatenschema.0102>"""
    assert "no <stammdatenschema>" in str(refused(data))


def test_a_schema_without_structure_is_refused():
    data = b"""<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_2">
  <xdf:stammdatenschema>
    <xdf:identifikation><xdf:id>S99000009</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>
    <xdf:name>Leer</xdf:name>
  </xdf:stammdatenschema>
</xdf:xdatenfelder.stammdatenschema.0102>"""
    error = refused(data)
    assert "no data fields or groups" in str(error)
    assert error.element == "<stammdatenschema> S99000009" and error.line == 2


def test_a_schema_of_hidden_fields_only_has_nothing_to_import():
    data = b"""<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_3.0.0">
  <xdf:stammdatenschema>
    <xdf:identifikation><xdf:id>S99000010</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation>
    <xdf:name>Nur intern</xdf:name>
    <xdf:struktur><xdf:anzahl>1:1</xdf:anzahl><xdf:enthaelt><xdf:datenfeld>
      <xdf:identifikation><xdf:id>F99000011</xdf:id></xdf:identifikation>
      <xdf:name>Aktenzeichen</xdf:name>
      <xdf:feldart><code>hidden</code></xdf:feldart><xdf:datentyp><code>text</code></xdf:datentyp>
    </xdf:datenfeld></xdf:enthaelt></xdf:struktur>
  </xdf:stammdatenschema>
</xdf:xdatenfelder.stammdatenschema.0102>"""
    assert "no data field that can become a form field" in str(refused(data))


@pytest.mark.parametrize(
    "key", ["", "Hundesteuer", "hunde steuer", "hunde--steuer", "-x", "ä", "x" * 81]
)
def test_the_service_key_must_be_a_slug(key):
    error = refused(HUNDESTEUER, key=key)
    assert "service key" in str(error)
