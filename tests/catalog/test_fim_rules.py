"""FIM rules → visible_if (catalog/fim/rules.py, conditions.py): what converts, and why the
rest does not."""

import pytest

from catalog.fim import import_fim
from catalog.fim.rules import Condition, NotConvertible, parse_rule
from tests.catalog.fim_xml import field, group, rule, schema, values

# --- reading the text -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "conditions", "join", "targets", "required"),
    [
        (
            "WENN F17000009294 'Status' = 001 'schwanger', DANN aktiviere F17000009295 'Termin' "
            "UND mache es zu einer Pflichtangabe.",
            [Condition("F17000009294", "001", "schwanger")],
            "",
            ("F17000009295",),
            True,
        ),
        (
            "Wenn F60000001 „Familienstand“ = VH „verheiratet“ oder F60000001 = LP, "
            "dann zeige F60000002 „Name des Ehegatten“ an.",
            [Condition("F60000001", "VH", "verheiratet"), Condition("F60000001", "LP", "")],
            "any",
            ("F60000002",),
            False,
        ),
        (
            "Wenn F60000001 = ja und F60000003 = „Kamen und Bergkamen“, dann ist G60000004 "
            "„Angaben zur Begleitperson“ sichtbar.",
            [Condition("F60000001", "ja", ""), Condition("F60000003", "Kamen und Bergkamen", "")],
            "all",
            ("G60000004",),
            False,
        ),
        (
            "Falls F60000001 gleich 'Nebenwohnung' ist, dann wird die Gruppe G60000004 eingeblendet",
            [Condition("F60000001", "Nebenwohnung", "")],
            "",
            ("G60000004",),
            False,
        ),
        (
            "wenn F60000001 = 2 dann blende F60000002, F60000003 und G60000004 ein",
            [Condition("F60000001", "2", "")],
            "",
            ("F60000002", "F60000003", "G60000004"),
            False,
        ),
    ],
)
def test_the_supported_form_is_read(text, conditions, join, targets, required):
    parsed = parse_rule(text)
    assert list(parsed.conditions) == conditions
    assert (parsed.join, parsed.targets, parsed.required) == (join, targets, required)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no text"),
        ("Es muss entweder G60000086 oder G60000087 befüllt werden.", "not of the form"),
        ('Wenn F60000243 "Straße" nicht leer, dann aktiviere F60000244.', "not an equality"),
        ("Wenn F60000001 > 3, dann aktiviere F60000002.", "not an equality"),
        ("Wenn F60000001 ≠ VH, dann aktiviere F60000002.", "not an equality"),
        (
            "WENN F60000001 = 1 UND F60000002 = 2 ODER F60000003 = 3 DANN aktiviere F60000004",
            "mixes",
        ),
        ("Wenn F60000001 = 1, dann blende F60000002 aus.", "hides"),
        ("Wenn F60000001 = 1, dann deaktiviere F60000002.", "hides"),
        ("Wenn F60000001 = 1, dann muss F60000002 befüllt werden.", "does not show"),
        (
            "Wenn F60000001 = 1, dann aktiviere F60000002. Die Staaten sind alphabetisch.",
            "other than",
        ),
        ("Wenn Status = 1, dann aktiviere F60000002.", "cannot read the condition"),
    ],
)
def test_other_forms_are_not_convertible(text, reason):
    with pytest.raises(NotConvertible, match=reason):
        parse_rule(text)


# --- applying it to the form ----------------------------------------------------------

CHOICE = values(("001", "Hauptwohnung"), ("002", "Nebenwohnung"))
# One step: a choice and an optional remark that rules may show.
CHOICE_AND_REMARK = group(
    "G99000100",
    "Angaben",
    field("F99000101", "Art", feldart="select", extra=CHOICE),
    field("F99000102", "Bemerkung", anzahl="0:1"),
)


def convert(*children, rules=""):
    return import_fim(schema(*children, rules=rules), key="regeltest")


def only_rule(result):
    [report] = result.report.rules
    return report


def specs(result):
    return {f["name"]: f for s in result.definition["form"]["steps"] for f in s["fields"]}


def test_a_condition_on_a_choice_may_name_the_value_by_its_label():
    result = convert(
        group(
            "G99000100",
            "Wohnung",
            field("F99000101", "Art", feldart="select", extra=CHOICE),
            field("F99000102", "Hauptwohnung", anzahl="0:1"),
        ),
        rules=rule("R99000001", "WENN F99000101 = „Nebenwohnung“, DANN aktiviere F99000102."),
    )
    assert specs(result)["hauptwohnung_f99000102"]["visible_if"] == {
        "field": "art_f99000101",
        "equals": "002",
    }
    assert specs(result)["hauptwohnung_f99000102"]["required"] is False


def test_any_and_all_over_different_fields():
    children = group(
        "G99000100",
        "Angaben",
        field("F99000101", "Art", feldart="select", extra=CHOICE),
        field("F99000102", "Anzahl", datentyp="num_int"),
        field("F99000103", "Betrag", datentyp="num"),
        field("F99000104", "Erläuterung", anzahl="0:1"),
        field("F99000105", "Nachweis", datentyp="file", anzahl="0:1"),
    )
    result = convert(
        children,
        rules=rule(
            "R99000001",
            "WENN F99000101 = 002 ODER F99000102 = 3, DANN aktiviere F99000104 'Erläuterung'.",
        )
        + rule(
            "R99000002",
            "WENN F99000102 = 3 UND F99000103 = 12,50, DANN zeige F99000105 an.",
        ),
    )
    fields = specs(result)
    assert fields["erlaeuterung_f99000104"]["visible_if"] == {
        "any": [
            {"field": "art_f99000101", "equals": "002"},
            {"field": "anzahl_f99000102", "equals": 3},
        ]
    }
    assert fields["nachweis_f99000105"]["visible_if"] == {
        "all": [
            {"field": "anzahl_f99000102", "equals": 3},
            {"field": "betrag_f99000103", "equals": "12.5"},
        ]
    }
    assert [r.converted for r in result.report.rules] == [True, True]


def test_showing_a_nested_group_conditions_each_of_its_fields():
    result = convert(
        group(
            "G99000100",
            "Antrag",
            field("F99000101", "Begleitung", datentyp="bool", anzahl="0:1"),
            group(
                "G99000200",
                "Begleitperson",
                field("F99000201", "Name der Begleitperson"),
                field("F99000202", "Telefon der Begleitperson", anzahl="0:1"),
                anzahl="0:1",
            ),
        ),
        rules=rule(
            "R99000001",
            "Wenn F99000101 = ja, dann aktiviere G99000200 und mache sie zur Pflichtangabe.",
        ),
    )
    fields = specs(result)
    condition = {"field": "begleitung_f99000101", "equals": True}
    assert fields["name_der_begleitperson_f99000201"]["visible_if"] == condition
    assert fields["telefon_der_begleitperson_f99000202"]["visible_if"] == condition
    # Required when shown follows each field's own multiplicity.
    assert fields["name_der_begleitperson_f99000201"]["required"] is True
    assert fields["telefon_der_begleitperson_f99000202"]["required"] is False
    assert only_rule(result).targets == (
        "name_der_begleitperson_f99000201",
        "telefon_der_begleitperson_f99000202",
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("WENN F99000101 = 009, DANN aktiviere F99000103.", "'009' is not one of the choices"),
        ("WENN F99000103 = x, DANN aktiviere F99000101.", "does not come before"),
        ("WENN F99000101 = 001, DANN aktiviere F99000101.", "does not come before"),
        ("WENN F99000102 = x, DANN aktiviere F99000103.", "not imported (hidden"),
        ("WENN F99000999 = x, DANN aktiviere F99000103.", "F99000999 is not a field"),
        ("WENN F99000101 = 001, DANN aktiviere G99000999.", "G99000999 is not a group"),
        ("WENN G99000100 = 001, DANN aktiviere F99000103.", "asks about a group"),
        ("WENN F99000104 = vielleicht, DANN aktiviere F99000103.", "not ja/nein"),
        ("WENN F99000101 = 001 UND F99000101 = 002, DANN aktiviere F99000103.", "two values"),
    ],
)
def test_rules_that_do_not_fit_the_form_are_reported_not_guessed(text, reason):
    result = convert(
        group(
            "G99000100",
            "Angaben",
            field("F99000101", "Art", feldart="select", extra=CHOICE),
            field("F99000102", "Intern", feldart="hidden"),
            field("F99000104", "Einverstanden", datentyp="bool", anzahl="0:1"),
            field("F99000103", "Bemerkung", anzahl="0:1"),
        ),
        rules=rule("R99000001", text),
    )
    report = only_rule(result)
    assert not report.converted
    assert reason in report.reason
    assert report.text == text
    assert not any("visible_if" in f for f in specs(result).values())


def test_a_second_rule_for_the_same_field_is_not_merged():
    result = convert(
        CHOICE_AND_REMARK,
        rules=rule("R99000001", "WENN F99000101 = 001, DANN aktiviere F99000102.")
        + rule("R99000002", "WENN F99000101 = 002, DANN aktiviere F99000102."),
    )
    first, second = result.report.rules
    assert first.converted and not second.converted
    assert "already has a condition" in second.reason
    assert specs(result)["bemerkung_f99000102"]["visible_if"] == {
        "field": "art_f99000101",
        "equals": "001",
    }


def test_a_step_shown_by_a_field_of_the_same_step_is_refused():
    result = convert(
        CHOICE_AND_REMARK,
        rules=rule("R99000001", "WENN F99000101 = 001, DANN aktiviere G99000100."),
    )
    assert "not on a step before" in only_rule(result).reason


def test_a_field_used_twice_is_found_through_the_group_the_rule_belongs_to():
    address = field("F99000301", "Straße") + field("F99000302", "Zusatz", anzahl="0:1")
    rule_in_second = rule("R99000001", "WENN F99000301 = Hauptstraße, DANN aktiviere F99000302.")
    result = convert(
        group("G99000100", "Wohnanschrift", group("G99000300", "Anschrift", address)),
        group(
            "G99000200",
            "Postanschrift",
            group("G99000300", "Anschrift", address, extra=rule_in_second),
        ),
    )
    fields = specs(result)
    assert "visible_if" not in fields["zusatz_f99000302"]
    assert fields["zusatz_f99000302_2"]["visible_if"] == {
        "field": "strasse_f99000301_2",
        "equals": "Hauptstraße",
    }
    assert any(n.code == "field_repeated" for n in result.report.notes)


def test_a_rule_on_several_elements_is_reported_once():
    text = "WENN F99000101 = 001, DANN aktiviere F99000102."
    result = convert(
        group(
            "G99000100",
            "Angaben",
            field("F99000101", "Art", feldart="select", extra=CHOICE),
            field("F99000102", "Bemerkung", anzahl="0:1", rules=rule("R99000001", text)),
            extra=rule("R99000001", text),
        ),
        rules=rule("R99000001", text),
    )
    assert [r.id for r in result.report.rules] == ["R99000001"]
    assert result.report.rules[0].converted


def test_a_script_only_rule_keeps_its_script_in_the_report():
    result = import_fim(
        schema(
            group("G99000100", "Angaben", field("F99000101", "Name")),
            rules=rule("R99000001", "", standard="2.0", script="pruefe(F99000101);"),
            standard="2.0",
        ),
        key="regeltest",
    )
    report = only_rule(result)
    assert (report.converted, report.script) == (False, "pruefe(F99000101);")
    assert "only a script" in report.reason
