"""FIM import (catalog/fim): the mapping cases the two fixtures do not show."""

import pytest

from catalog.fim import import_fim, without_extensions
from catalog.fim.codelists import shipped
from catalog.forms.validation import NAME_RE
from catalog.services import definition_errors
from tests.catalog.fim_xml import field, group, rule, schema, values


def convert(*children, rules="", standard="3.0.0"):
    return import_fim(schema(*children, rules=rules, standard=standard), key="mapping")


def specs(result):
    return [f for s in result.definition["form"]["steps"] for f in s["fields"]]


def notes(result):
    return {(n.code, n.element.split()[0]) for n in result.report.notes}


def code_list(urn, version):
    return f"""<xdf:codelisteReferenz><xdf:canonicalIdentification>{urn}</xdf:canonicalIdentification>
      {f"<xdf:version>{version}</xdf:version>" if version else ""}</xdf:codelisteReferenz>"""


GESCHLECHT = "urn:xpersonenstand:schluesseltabelle:geschlecht"


def test_a_selection_that_may_repeat_becomes_multichoice():
    result = convert(
        group(
            "G99000100",
            "Angaben",
            field(
                "F99000101",
                "Sprachen",
                feldart="select",
                anzahl="1:n",
                extra=values(("de", "Deutsch"), ("tr", "Türkisch"), ("pl", "Polnisch")),
            ),
        )
    )
    [spec] = specs(result)
    assert (spec["type"], spec["required"]) == ("multichoice", True)
    assert [c["value"] for c in spec["choices"]] == ["de", "tr", "pl"]


@pytest.mark.parametrize(
    ("version", "resolved", "code"),
    [("3", True, None), ("", True, "code_list_version_missing"), ("2", False, "code_list_unknown")],
)
def test_a_shipped_code_list_is_used_only_in_its_version(version, resolved, code):
    result = convert(
        group(
            "G99000100",
            "Person",
            field(
                "F99000101", "Geschlecht", feldart="select", extra=code_list(GESCHLECHT, version)
            ),
        )
    )
    [spec] = specs(result)
    [report] = result.report.code_lists
    assert (report.urn, report.version, report.resolved, report.shipped_version) == (
        GESCHLECHT,
        version,
        resolved,
        "3",
    )
    assert spec["type"] == ("choice" if resolved else "text")
    if code:
        assert (code, "F99000101") in notes(result)
    if not resolved:
        assert "only version 3 is shipped" in result.report.notes[0].message


def test_inline_values_win_over_a_code_list_reference():
    result = convert(
        group(
            "G99000100",
            "Person",
            field(
                "F99000101",
                "Geschlecht",
                feldart="select",
                extra=values(("1", "weiblich"), ("2", "männlich")) + code_list(GESCHLECHT, "3"),
            ),
        )
    )
    [spec] = specs(result)
    assert [c["value"] for c in spec["choices"]] == ["1", "2"]
    assert ("inline_values_preferred", "F99000101") in notes(result)


def test_a_selection_without_values_is_text():
    result = convert(group("G99000100", "A", field("F99000101", "Auswahl", feldart="select")))
    assert specs(result)[0]["type"] == "text"
    assert ("select_without_values", "F99000101") in notes(result)


@pytest.mark.parametrize(
    ("datentyp", "kind", "code"),
    [
        ("time", "text", "time_as_text"),
        ("datetime", "text", "time_as_text"),
        ("obj", "file", "obj_as_file"),
        ("num_currency", "decimal", "currency_as_decimal"),
    ],
)
def test_types_without_an_engine_equivalent(datentyp, kind, code):
    result = convert(group("G99000100", "A", field("F99000101", "Wert", datentyp=datentyp)))
    assert specs(result)[0]["type"] == kind
    assert (code, "F99000101") in notes(result)


def test_unreadable_2_0_constraints_are_reported_and_the_field_kept():
    result = convert(
        group(
            "G99000100",
            "A",
            field(
                "F99000101", "Name", extra="<xdf:praezisierung>{maxLength: 20</xdf:praezisierung>"
            ),
        ),
        standard="2.0",
    )
    [spec] = specs(result)
    assert spec["type"] == "text" and "max_length" not in spec
    [note] = result.report.notes
    assert note.code == "constraints_unreadable"
    assert "{maxLength: 20" in note.message


@pytest.mark.parametrize(
    ("datentyp", "attributes", "expected", "dropped"),
    [
        ("text", 'minLength="10" maxLength="5"', {}, "constraints_contradict"),
        ("num_int", 'minValue="1.5" maxValue="9"', {"max": 9}, "constraint_dropped"),
        ("num_int", 'minLength="3"', {}, "constraint_dropped"),
        ("num", 'minValue="-0.5" maxValue="1e3"', {"min": -0.5, "max": 1000}, None),
        (
            "text",
            'pattern="[A-Z]{2}[0-9]+" maxLength="20"',
            {"pattern": "[A-Z]{2}[0-9]+", "max_length": 20},
            None,
        ),
    ],
)
def test_3_0_0_constraints(datentyp, attributes, expected, dropped):
    result = convert(
        group(
            "G99000100",
            "A",
            field(
                "F99000101", "Wert", datentyp=datentyp, extra=f"<xdf:praezisierung {attributes}/>"
            ),
        )
    )
    [spec] = specs(result)
    kept = {
        k: v for k, v in spec.items() if k in ("min", "max", "min_length", "max_length", "pattern")
    }
    assert kept == expected
    if dropped:
        assert (dropped, "F99000101") in notes(result)
    assert definition_errors(without_extensions(result.definition)) == []


def test_fields_outside_groups_form_a_step_named_after_the_schema():
    result = convert(
        field("F99000001", "Vorab"),
        group("G99000100", "Hauptteil", field("F99000101", "Eins")),
        field(
            "F99000002",
            "Nachtrag",
            feldart="label",
            extra="<xdf:inhalt>Danke für „Ihre“ Angaben.</xdf:inhalt>",
        ),
        field("F99000003", "Schluss"),
    )
    steps = result.definition["form"]["steps"]
    assert [s["title"]["de"] for s in steps] == ["Testantrag", "Hauptteil", "Testantrag"]
    assert steps[2]["fields"][0]["notice"] == {"de": "Danke für „Ihre“ Angaben.", "en": ""}


def test_a_hint_at_the_end_of_a_step_goes_onto_the_step():
    result = convert(
        group(
            "G99000100",
            "Angaben",
            field("F99000101", "Name"),
            field(
                "F99000102",
                "Hinweis",
                feldart="label",
                extra="<xdf:inhalt>Bitte prüfen.</xdf:inhalt>",
            ),
        ),
        group("G99000200", "Weiter", field("F99000201", "Ort")),
    )
    first, second = result.definition["form"]["steps"]
    assert first["notice"] == {"de": "Bitte prüfen.", "en": ""}
    assert "notice" not in second and "notice" not in second["fields"][0]


def test_groups_in_groups_give_one_heading_with_both_names():
    result = convert(
        group(
            "G99000100",
            "Antrag",
            group(
                "G99000200",
                "Anschrift",
                group("G99000300", "Straßenanschrift", field("F99000301", "Straße")),
                field("F99000201", "Land"),
            ),
        )
    )
    street, country = specs(result)
    assert street["heading"]["de"] == "Anschrift › Straßenanschrift"
    assert country["heading"]["de"] == "Anschrift"


def test_repetitions_choice_groups_and_defaults_are_reported():
    result = convert(
        group(
            "G99000100",
            "Kinder",
            field("F99000101", "Vorname", anzahl="1:n"),
            field("F99000102", "Land", extra="<xdf:inhalt>Deutschland</xdf:inhalt>"),
            anzahl="0:n",
            extra="<xdf:art><code>X</code></xdf:art>",
        )
    )
    assert {
        ("group_repeats", "G99000100"),
        ("group_optional", "G99000100"),
        ("choice_group", "G99000100"),
        ("field_repeats", "F99000101"),
        ("default_dropped", "F99000102"),
    } <= notes(result)


@pytest.mark.parametrize(
    ("fim_name", "expected"),
    [
        ("Straße und Hausnummer", "strasse_und_hausnummer_f99000101"),
        ("Größe (cm) – Ø", "groesse_cm_f99000101"),
        ("1. Wohnsitz", "f_1_wohnsitz_f99000101"),
        ("„“", "f99000101"),
        ("Nguyễn Thị Minh Khai", "nguyen_thi_minh_khai_f99000101"),
        ("x" * 120, "x" * 40 + "_f99000101"),
    ],
)
def test_field_names_come_from_the_fim_name_and_id(fim_name, expected):
    result = convert(group("G99000100", "A", field("F99000101", fim_name)))
    [spec] = specs(result)
    assert spec["name"] == expected
    assert NAME_RE.match(spec["name"])


def test_field_names_stay_unique_when_a_field_occurs_twice():
    same = field("F99000101", "Telefon", anzahl="0:1")
    result = convert(group("G99000100", "Privat", same), group("G99000200", "Dienstlich", same))
    assert [s["name"] for s in specs(result)] == ["telefon_f99000101", "telefon_f99000101_2"]
    assert definition_errors(without_extensions(result.definition)) == []


def test_a_rule_in_2_0_is_read_from_its_definition_text():
    result = convert(
        group(
            "G99000100",
            "A",
            field("F99000101", "Hund vorhanden", datentyp="bool", anzahl="0:1"),
            field("F99000102", "Anzahl", datentyp="num_int", anzahl="0:1"),
        ),
        rules=rule("R99000001", "Wenn F99000101 = ja, dann aktiviere F99000102.", standard="2.0"),
        standard="2.0",
    )
    assert specs(result)[1]["visible_if"] == {"field": "hund_vorhanden_f99000101", "equals": True}


def test_the_shipped_code_lists_are_complete():
    lists = shipped()
    assert set(lists) == {
        "urn:xpersonenstand:schluesseltabelle:geschlecht",
        "urn:de:dsmeld:schluesseltabelle:familienstand",
        "urn:de:kreisportal:codeliste:staatsangehoerigkeit-kurzliste",
        "urn:de:kreisportal:codeliste:ja-nein",
    }
    for code_list in lists.values():
        assert code_list.version and code_list.name["de"] and code_list.name["en"]
        codes = [c["value"] for c in code_list.choices]
        assert codes and len(codes) == len(set(codes))
        assert all(c["label"]["de"] and c["label"]["en"] for c in code_list.choices)


def test_a_heading_does_not_outlive_its_group():
    result = convert(
        group(
            "G99000100",
            "Antrag",
            group(
                "G99000200",
                "Anschrift",
                group("G99000300", "Straßenanschrift", field("F99000301", "Straße")),
                field("F99000201", "Gemeindeschlüssel", feldart="hidden"),
            ),
            field("F99000101", "Telefon"),
        )
    )
    street, phone = specs(result)
    assert street["heading"]["de"] == "Anschrift › Straßenanschrift"
    assert phone["heading"]["de"] == "Antrag"


def test_fields_outside_groups_do_not_repeat_the_description():
    data = schema(field("F99000001", "Name")).replace(
        b"<xdf:bezeichnung>",
        "<xdf:hilfetext>Bitte vollständig ausfüllen.</xdf:hilfetext><xdf:bezeichnung>".encode(),
    )
    result = import_fim(data, key="mapping")
    assert result.definition["description"]["de"] == "Bitte vollständig ausfüllen."
    assert "notice" not in specs(result)[0]


def test_without_extensions_conditional_questions_become_optional():
    result = convert(
        group(
            "G99000100",
            "Angaben",
            field("F99000101", "Hund", datentyp="bool", anzahl="0:1"),
            field("F99000102", "Rasse"),
            field("F99000103", "Name"),
        ),
        group("G99000200", "Hundeschule", field("F99000201", "Schule")),
        rules=rule("R99000001", "WENN F99000101 = ja, DANN aktiviere F99000102 und G99000200."),
    )
    full = {f["name"]: f for f in specs(result)}
    assert full["rasse_f99000102"]["required"] and full["schule_f99000201"]["required"]
    plain = without_extensions(result.definition)
    fields = {f["name"]: f for s in plain["form"]["steps"] for f in s["fields"]}
    assert fields["rasse_f99000102"]["required"] is False
    assert fields["schule_f99000201"]["required"] is False
    assert fields["name_f99000103"]["required"] is True
    assert "visible_if" not in plain["form"]["steps"][1]
    assert definition_errors(plain) == []


def test_a_group_with_nothing_to_import_is_no_step_and_is_reported():
    result = convert(
        group("G99000100", "Angaben", field("F99000101", "Name")),
        group(
            "G99000200",
            "Intern",
            field("F99000201", "Aktenzeichen", feldart="hidden"),
            field(
                "F99000202",
                "Hinweis",
                feldart="label",
                extra="<xdf:inhalt>Nur intern.</xdf:inhalt>",
            ),
        ),
    )
    assert [s["title"]["de"] for s in result.definition["form"]["steps"]] == ["Angaben"]
    [note] = [n for n in result.report.notes if n.code == "empty_group"]
    assert note.element == "G99000200 'Intern'"
    assert "hint text is not imported" in note.message
    assert not any(u.startswith("step 'Intern'") for u in result.report.untranslated)
