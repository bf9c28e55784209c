"""FIM import (catalog/fim): the two hand-written fixtures, field by field.

The expectations below are read off the fixture files (tests/catalog/fim/), not off the
converter's output: every field's type, label, help, constraints, required flag and choices
as docs/fim.md says the schema maps.
"""

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from catalog.fim import ENGINE_EXTENSIONS, import_fim, without_extensions
from catalog.forms.fields import fields_of
from catalog.forms.validation import clean_value, validate_values
from catalog.services import definition_errors, service_import

FIXTURES = Path(__file__).parent / "fim"


def de(text: str) -> dict:
    return {"de": text, "en": ""}


def field(name: str, kind: str, label: str, required: bool, fim_id: str, **extra) -> dict:
    spec = {"name": name, "type": kind, "label": de(label), "required": required}
    spec.update(extra)
    spec["fim_id"] = fim_id
    return spec


YES_NO = [
    {"value": "ja", "label": {"de": "Ja", "en": "Yes"}},
    {"value": "nein", "label": {"de": "Nein", "en": "No"}},
]
GESCHLECHT = [
    {"value": "w", "label": {"de": "weiblich", "en": "female"}},
    {"value": "m", "label": {"de": "männlich", "en": "male"}},
    {"value": "d", "label": {"de": "divers", "en": "diverse"}},
    {"value": "x", "label": {"de": "ohne Angabe", "en": "not stated"}},
]


def load(name: str, key: str):
    return import_fim((FIXTURES / name).read_bytes(), key=key)


# --- XDatenfelder 2.0: Hundesteuer ------------------------------------------------------

HUNDESTEUER_STEPS = [
    {
        "title": de("Halterin oder Halter des Hundes"),
        "fields": [
            field(
                "familienname_f99010201",
                "text",
                "Familienname",
                True,
                "F99010201",
                min_length=1,
                max_length=120,
                help=de(
                    "Geben Sie den Familiennamen so an, wie er im Ausweis steht – "
                    "z. B. „Yılmaz–Şahin“."
                ),
            ),
            field("vornamen_f99010202", "text", "Vornamen", True, "F99010202", max_length=120),
            # minValue 1900-01-01 has no date equivalent in the engine: reported, not imported.
            field("geburtsdatum_f99010203", "date", "Geburtsdatum", True, "F99010203"),
            field(
                "geschlecht_f99010204",
                "choice",
                "Geschlecht",
                False,
                "F99010204",
                choices=GESCHLECHT,
            ),
            field(
                "strasse_f99010205",
                "text",
                "Straße",
                True,
                "F99010205",
                max_length=55,
                heading=de("Anschrift"),
            ),
            field("hausnummer_f99010206", "text", "Hausnummer", True, "F99010206", max_length=9),
            field(
                "postleitzahl_f99010207",
                "text",
                "Postleitzahl",
                True,
                "F99010207",
                min_length=5,
                max_length=5,
                pattern="[0-9]{5}",
            ),
            field("ort_f99010208", "text", "Ort", True, "F99010208", max_length=60),
            field(
                "telefonnummer_f99010209",
                "text",
                "Telefonnummer für Rückfragen",
                False,
                "F99010209",
                max_length=25,
                heading=de("Halterin oder Halter des Hundes"),
            ),
        ],
    },
    {
        "title": de("Angaben zum Hund"),
        "fields": [
            field(
                "name_des_hundes_f99010211",
                "text",
                "Rufname des Hundes",
                False,
                "F99010211",
                max_length=50,
                notice=de(
                    "Die Anmeldung muss innerhalb von zwei Wochen nach Beginn der Haltung "
                    "erfolgen. Hunde unter drei Monaten sind steuerfrei."
                ),
            ),
            # The code list Hunderasse is not shipped: text, still required (1:1).
            field(
                "rasse_f99010212",
                "text",
                "Rasse oder Kreuzung",
                True,
                "F99010212",
                help=de("Bei Mischlingen: die erkennbaren Rassen, z. B. „Labrador-Mischling“."),
            ),
            field("beginn_der_haltung_f99010213", "date", "Hund gehalten seit", True, "F99010213"),
            field(
                "anzahl_hunde_im_haushalt_f99010214",
                "integer",
                "Anzahl der Hunde im Haushalt (einschließlich dieses Hundes)",
                True,
                "F99010214",
                min=1,
                max=20,
            ),
            field(
                "schulterhoehe_f99010223",
                "decimal",
                "Schulterhöhe in cm",
                False,
                "F99010223",
                min=0,
                max=120.5,
            ),
            # bool 1:1: a yes/no answer is required, so a choice Ja/Nein.
            field(
                "gefaehrlicher_hund_f99010215",
                "choice",
                "Handelt es sich um einen gefährlichen Hund im Sinne des § 3 LHundG NRW?",
                True,
                "F99010215",
                choices=YES_NO,
            ),
            # 0:1, made required when shown by rule R99010902.
            field(
                "nachweis_der_sachkunde_f99010216",
                "file",
                "Nachweis der Sachkunde",
                True,
                "F99010216",
                help=de("Als PDF oder Foto, z. B. die Bescheinigung der Sachkundeprüfung."),
                visible_if={"field": "gefaehrlicher_hund_f99010215", "equals": "ja"},
            ),
            field(
                "steuerbefreiung_beantragt_f99010217",
                "boolean",
                "Ich beantrage eine Steuerbefreiung oder -ermäßigung",
                False,
                "F99010217",
            ),
            field(
                "begruendung_steuerbefreiung_f99010218",
                "textarea",
                "Begründung der Steuerbefreiung",
                False,
                "F99010218",
                max_length=500,
                help=de(
                    "Zum Beispiel: Blindenführhund, Herdengebrauchshund, Hund aus dem Tierheim."
                ),
                visible_if={"field": "steuerbefreiung_beantragt_f99010217", "equals": True},
            ),
            field(
                "chipnummer_f99010219",
                "text",
                "Nummer des Mikrochips",
                False,
                "F99010219",
                min_length=15,
                max_length=15,
                pattern="[0-9]{15}",
            ),
        ],
    },
    {
        # The group is 0:1, so its 1:1 fields are imported as optional.
        "title": de("Bisherige Hundesteuer"),
        "fields": [
            field(
                "bisher_gezahlte_hundesteuer_f99010220",
                "decimal",
                "Bisher gezahlte Hundesteuer pro Jahr (€)",
                False,
                "F99010220",
                min=0,
                max=2000,
                notice=de("Nur ausfüllen, wenn Sie aus einer anderen Gemeinde zuziehen."),
            ),
            field(
                "bisherige_gemeinde_f99010221",
                "text",
                "Bisherige Gemeinde",
                False,
                "F99010221",
                max_length=100,
            ),
            field(
                "steuerbescheid_bisherige_gemeinde_f99010222",
                "file",
                "Letzter Steuerbescheid der bisherigen Gemeinde",
                False,
                "F99010222",
            ),
        ],
    },
]


@pytest.fixture(scope="module")
def hundesteuer():
    return load("hundesteuer-2.0.xml", "hundesteuer-anmelden")


def test_2_0_schema_becomes_the_service_named_in_the_schema(hundesteuer):
    definition = hundesteuer.definition
    assert definition["key"] == "hundesteuer-anmelden"
    assert definition["name"] == de("Anmeldung eines Hundes zur Hundesteuer")
    assert definition["description"] == de(
        "Melden Sie Ihren Hund innerhalb von zwei Wochen nach Beginn der Haltung an. "
        "Für „gefährliche Hunde“ gilt ein erhöhter Steuersatz."
    )
    assert definition["fee"] == {"kind": "free"}
    assert definition["offered_by"] == "towns"
    report = hundesteuer.report
    assert (report.standard, report.schema_id, report.schema_version) == ("2.0", "S99010001", "1.3")
    assert report.legal_basis == "§ 3 Hundesteuersatzung; § 10 LHundG NRW"


def test_2_0_groups_fields_types_constraints_and_choices_match_the_fixture(hundesteuer):
    steps = hundesteuer.definition["form"]["steps"]
    assert [s["title"] for s in steps] == [s["title"] for s in HUNDESTEUER_STEPS]
    for got, expected in zip(steps, HUNDESTEUER_STEPS, strict=True):
        assert [f["name"] for f in got["fields"]] == [f["name"] for f in expected["fields"]]
        for got_field, expected_field in zip(got["fields"], expected["fields"], strict=True):
            assert got_field == expected_field, expected_field["name"]
    assert steps == HUNDESTEUER_STEPS


def test_2_0_report_lists_what_was_not_imported(hundesteuer):
    report = hundesteuer.report
    unknown = report.code_lists_unknown
    assert [(c.urn, c.version, c.fields) for c in unknown] == [
        ("urn:de:kreis-unna:codeliste:hunderasse", "2024-01", ("rasse_f99010212",))
    ]
    resolved = [c for c in report.code_lists if c.resolved]
    assert [(c.urn, c.version, c.fields) for c in resolved] == [
        ("urn:xpersonenstand:schluesseltabelle:geschlecht", "3", ("geschlecht_f99010204",))
    ]
    not_converted = {r.id: r for r in report.rules_not_converted}
    assert set(not_converted) == {"R99010901", "R99010904"}
    script_only = not_converted["R99010901"]
    assert script_only.text == ""
    assert script_only.script.startswith("if (F99010217 === true && !F99010218)")
    assert "script" in script_only.reason
    free_text = not_converted["R99010904"]
    assert free_text.text == (
        "Die bisher gezahlte Steuer wird auf das laufende Jahr angerechnet, wenn der Hund "
        "aus einer anderen Gemeinde des Kreises zuzieht."
    )
    assert [(r.id, r.targets) for r in report.rules_converted] == [
        ("R99010902", ("nachweis_der_sachkunde_f99010216",)),
        ("R99010903", ("begruendung_steuerbefreiung_f99010218",)),
    ]
    codes = {(n.code, n.element.split()[0]) for n in report.notes}
    assert {
        ("constraint_dropped", "F99010203"),  # date minValue
        ("hint_as_notice", "F99010210"),
        ("code_list_unknown", "F99010212"),
        ("bool_as_yes_no", "F99010215"),
        ("currency_as_decimal", "F99010220"),
        ("group_optional", "G99010104"),
        ("required_in_optional_group", "F99010220"),
        ("required_in_optional_group", "F99010221"),
    } <= codes
    assert report.skipped == []


def test_2_0_report_describes_every_field(hundesteuer):
    by_name = {f.name: f for f in hundesteuer.report.fields}
    assert len(by_name) == 22  # 23 data fields, one of them a hint (label)
    sachkunde = by_name["nachweis_der_sachkunde_f99010216"]
    assert (sachkunde.fim_type, sachkunde.multiplicity, sachkunde.type, sachkunde.required) == (
        "input/file",
        "0:1",
        "file",
        True,
    )
    rasse = by_name["rasse_f99010212"]
    assert (rasse.fim_type, rasse.type, rasse.choices_from) == ("select/text", "text", "")
    assert by_name["geschlecht_f99010204"].choices_from == (
        "urn:xpersonenstand:schluesseltabelle:geschlecht 3"
    )
    assert by_name["strasse_f99010205"].step == "Halterin oder Halter des Hundes"


# --- XDatenfelder 3.0.0: Anmeldung einer Wohnung -----------------------------------------

FAMILIENSTAND = [
    ("LD", "ledig"),
    ("VH", "verheiratet"),
    ("VW", "verwitwet"),
    ("GS", "geschieden"),
    ("EA", "Ehe aufgehoben"),
    ("LP", "in eingetragener Lebenspartnerschaft"),
    ("LV", "Lebenspartnerschaft durch Tod aufgelöst"),
    ("LA", "Lebenspartnerschaft aufgehoben"),
    ("LE", "Lebenspartnerschaft durch Todeserklärung aufgelöst"),
    ("NB", "nicht bekannt"),
]


@pytest.fixture(scope="module")
def wohnung():
    return load("wohnung-3.0.0.xml", "wohnsitz-anmelden-fim")


def _fields(result) -> dict:
    return {f["name"]: f for f in fields_of_spec(result.definition)}


def fields_of_spec(definition: dict) -> list[dict]:
    return [f for s in definition["form"]["steps"] for f in s["fields"]]


def test_3_0_0_steps_and_field_order_follow_the_groups(wohnung):
    steps = wohnung.definition["form"]["steps"]
    assert [(s["title"], [f["fim_id"] for f in s["fields"]]) for s in steps] == [
        (
            de("Angaben zur Person"),
            ["F99020201", "F99020202", "F99020203", "F99020204", "F99020205", "F99020206"]
            + ["F99020207"],
        ),
        (
            de("Neue Wohnung"),
            ["F99020208", "F99020209", "F99020210", "F99020211", "F99020212", "F99020213"]
            + ["F99020214", "F99020216", "F99020217"],  # F99020215 is hidden
        ),
        (de("Ihre Hauptwohnung"), ["F99020218", "F99020219"]),
    ]
    assert wohnung.definition["name"] == de("Anmeldung einer Wohnung")
    assert wohnung.definition["description"] == de(
        "Melden Sie sich innerhalb von zwei Wochen nach dem Einzug an.\n\n"
        "Sie brauchen die „Wohnungsgeberbestätigung“ Ihrer Vermieterin oder Ihres Vermieters."
    )


def test_3_0_0_structured_constraints_become_engine_constraints(wohnung):
    fields = _fields(wohnung)
    assert fields["familienname_f99020201"] == field(
        "familienname_f99020201",
        "text",
        "Familienname",
        True,
        "F99020201",
        min_length=1,
        max_length=120,
        help=de("Wie im Pass oder Personalausweis, z. B. „Nguyễn“."),
    )
    assert fields["vornamen_f99020202"] == field(
        "vornamen_f99020202", "text", "Vornamen", True, "F99020202", max_length=120
    )
    assert fields["geburtsdatum_f99020203"] == field(
        "geburtsdatum_f99020203", "date", "Geburtsdatum", True, "F99020203"
    )
    assert fields["strasse_f99020208"] == field(
        "strasse_f99020208",
        "text",
        "Straße",
        True,
        "F99020208",
        min_length=1,
        max_length=55,
        heading=de("Anschrift der neuen Wohnung"),
    )
    assert fields["hausnummer_f99020209"] == field(
        "hausnummer_f99020209", "text", "Hausnummer", True, "F99020209", max_length=9
    )
    assert fields["postleitzahl_f99020210"] == field(
        "postleitzahl_f99020210",
        "text",
        "Postleitzahl",
        True,
        "F99020210",
        min_length=5,
        max_length=5,
        pattern="([0]{1}[1-9]{1}|[1-9]{1}[0-9]{1})[0-9]{3}",
    )
    assert fields["ort_f99020211"] == field(
        "ort_f99020211", "text", "Ort", True, "F99020211", max_length=60
    )
    assert fields["einzugsdatum_f99020212"] == field(
        "einzugsdatum_f99020212",
        "date",
        "Datum des Einzugs",
        True,
        "F99020212",
        heading=de("Neue Wohnung"),  # back in the step's own group after the address
    )
    assert fields["anzahl_einziehende_personen_f99020214"] == field(
        "anzahl_einziehende_personen_f99020214",
        "integer",
        "Wie viele Personen ziehen mit dieser Anmeldung ein?",
        True,
        "F99020214",
        min=1,
        max=99,
    )
    # text_latin, maxLength 300 → textarea; the group is 0:1 but the rule makes it required.
    assert fields["anschrift_hauptwohnung_f99020218"] == field(
        "anschrift_hauptwohnung_f99020218",
        "textarea",
        "Anschrift der Hauptwohnung",
        True,
        "F99020218",
        max_length=300,
        help=de("Straße, Hausnummer, Postleitzahl und Ort; im Ausland auch den Staat."),
    )
    # The XSD pattern [\p{L} .'-]+ is not Python syntax: dropped, length kept.
    assert fields["gemeinde_hauptwohnung_f99020219"] == field(
        "gemeinde_hauptwohnung_f99020219",
        "text",
        "Zuständige Meldebehörde der Hauptwohnung",
        False,
        "F99020219",
        max_length=120,
    )


def test_3_0_0_inline_values_and_code_lists_become_choices(wohnung):
    fields = _fields(wohnung)
    assert fields["wohnungsstatus_f99020213"] == field(
        "wohnungsstatus_f99020213",
        "choice",
        "Art der Wohnung",
        True,
        "F99020213",
        choices=[
            {"value": "001", "label": de("alleinige Wohnung")},
            {"value": "002", "label": de("Hauptwohnung")},
            {"value": "003", "label": de("Nebenwohnung")},
        ],
        help=de("Die Hauptwohnung ist die vorwiegend benutzte Wohnung."),
    )
    assert fields["geschlecht_f99020204"] == field(
        "geschlecht_f99020204", "choice", "Geschlecht", True, "F99020204", choices=GESCHLECHT
    )
    familienstand = fields["familienstand_f99020206"]
    assert (familienstand["type"], familienstand["required"]) == ("choice", False)
    assert [(c["value"], c["label"]["de"]) for c in familienstand["choices"]] == FAMILIENSTAND
    assert all(c["label"]["en"] for c in familienstand["choices"])
    # The Destatis list is not shipped: a required text field, and the report says so.
    assert fields["staatsangehoerigkeit_f99020205"] == field(
        "staatsangehoerigkeit_f99020205", "text", "Staatsangehörigkeit", True, "F99020205"
    )
    unknown = wohnung.report.code_lists_unknown
    assert [(c.urn, c.version, c.resolved, c.fields) for c in unknown] == [
        (
            "urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:staatsangehoerigkeit",
            "2021-02-19",
            False,
            ("staatsangehoerigkeit_f99020205",),
        )
    ]
    assert sorted((c.urn, c.version) for c in wohnung.report.code_lists if c.resolved) == [
        ("urn:de:dsmeld:schluesseltabelle:familienstand", "2"),
        ("urn:xpersonenstand:schluesseltabelle:geschlecht", "3"),
    ]


def test_3_0_0_files_hidden_fields_and_yes_no(wohnung):
    fields = _fields(wohnung)
    assert fields["wohnungsgeberbestaetigung_f99020216"] == field(
        "wohnungsgeberbestaetigung_f99020216",
        "file",
        "Wohnungsgeberbestätigung",
        True,
        "F99020216",
        accept=["application/pdf", "image/jpeg"],  # image/tiff is not accepted by the portal
        max_size_mb=5,  # 5,000,000 bytes rounded up
        help=de(
            "Die Bestätigung nach § 19 BMG, unterschrieben von der Vermieterin oder dem Vermieter."
        ),
    )
    assert fields["zuzug_aus_dem_ausland_f99020217"] == field(
        "zuzug_aus_dem_ausland_f99020217",
        "boolean",
        "Ich ziehe aus dem Ausland zu",
        False,
        "F99020217",
    )
    assert not any(f["fim_id"] == "F99020215" for f in fields.values())
    [skipped] = wohnung.report.skipped
    assert (skipped.fim_id, skipped.label, skipped.fim_type) == (
        "F99020215",
        "Amtlicher Gemeindeschlüssel",
        "hidden/text",
    )
    assert "system" in skipped.reason


def test_3_0_0_rules_become_visible_if_on_a_step_and_a_field(wohnung):
    steps = wohnung.definition["form"]["steps"]
    assert "visible_if" not in steps[0] and "visible_if" not in steps[1]
    assert steps[2]["visible_if"] == {"field": "wohnungsstatus_f99020213", "equals": "003"}
    ehegatte = _fields(wohnung)["familienname_ehegatte_f99020207"]
    assert ehegatte == field(
        "familienname_ehegatte_f99020207",
        "text",
        "Familienname der Ehegattin, des Ehegatten oder der Lebenspartnerin, des Lebenspartners",
        True,
        "F99020207",
        max_length=120,
        visible_if={"field": "familienstand_f99020206", "in": ["VH", "LP"]},
    )
    conditioned = [f["name"] for f in fields_of_spec(wohnung.definition) if "visible_if" in f]
    assert conditioned == ["familienname_ehegatte_f99020207"]
    rules = {r.id: r for r in wohnung.report.rules}
    assert rules["R99020901"].converted and rules["R99020901"].targets == ("step:3",)
    assert rules["R99020902"].converted
    assert not rules["R99020903"].converted
    assert rules["R99020903"].text == (
        "Das Datum des Einzugs in F99020212 darf höchstens zwei Wochen in der Zukunft liegen."
    )
    assert "heute()" in rules["R99020903"].script
    assert not rules["R99020904"].converted
    assert "befüllt" in rules["R99020904"].text
    assert "consequence" in rules["R99020904"].reason


def test_3_0_0_report_notes(wohnung):
    codes = {(n.code, n.element.split()[0]) for n in wohnung.report.notes}
    assert codes == {
        ("code_list_unknown", "F99020205"),
        ("value_help_dropped", "F99020213"),
        ("media_types_dropped", "F99020216"),
        ("max_size_rounded", "F99020216"),
        ("latin_not_enforced", "F99020218"),
        ("pattern_dropped", "F99020219"),
    }
    # The rule made the optional group required when shown: no stale "imported as optional".
    assert not any(n.code == "group_optional" for n in wohnung.report.notes)


# --- both: today's loader, the form engine, languages ----------------------------------


@pytest.fixture(params=["hundesteuer-2.0.xml", "wohnung-3.0.0.xml"])
def result(request):
    return load(request.param, "fim-test")


def test_the_definition_without_engine_extensions_passes_todays_catalog_validation(result):
    assert definition_errors(without_extensions(result.definition)) == []


def test_the_form_engine_knows_the_extensions_and_accepts_the_whole_definition(result, db):
    """Conditions, headings and notices are the form engine's own keys (issue 16)."""
    used = {k for s in result.definition["form"]["steps"] for f in s["fields"] for k in f}
    assert used & set(ENGINE_EXTENSIONS["field"]), (
        "the fixtures use headings, notices or visible_if"
    )
    assert definition_errors(result.definition) == []
    definition, created = service_import(spec=result.definition, publish=False)
    assert created and definition.form == result.definition["form"]


def test_the_definition_loads_as_a_draft_with_todays_loader(result, db):
    spec = without_extensions(result.definition)
    definition, created = service_import(spec=spec, publish=False)
    assert created and definition.status == "draft"
    assert definition.form == spec["form"]
    assert definition.name == spec["name"]


def test_the_form_engine_applies_the_imported_constraints(hundesteuer):
    fields = {f.name: f for f in fields_of(without_extensions(hundesteuer.definition)["form"])}
    assert clean_value(fields["postleitzahl_f99010207"], "59174") == "59174"
    with pytest.raises(ValidationError):
        clean_value(fields["postleitzahl_f99010207"], "5917")
    with pytest.raises(ValidationError):
        clean_value(fields["anzahl_hunde_im_haushalt_f99010214"], "21")
    with pytest.raises(ValidationError):
        clean_value(fields["gefaehrlicher_hund_f99010215"], "vielleicht")
    with pytest.raises(ValidationError):
        clean_value(fields["chipnummer_f99010219"], "27609810123456")


def test_a_citizen_can_answer_the_imported_form(hundesteuer):
    form = without_extensions(hundesteuer.definition)["form"]
    answers = {
        "familienname_f99010201": "Yılmaz–Şahin",
        "vornamen_f99010202": "Łukasz",
        "geburtsdatum_f99010203": "1987-05-04",
        "geschlecht_f99010204": "m",
        "strasse_f99010205": "Nordring",
        "hausnummer_f99010206": "12a",
        "postleitzahl_f99010207": "59174",
        "ort_f99010208": "Kamen",
        "rasse_f99010212": "Labrador-Mischling",
        "beginn_der_haltung_f99010213": "2025-02-01",
        "anzahl_hunde_im_haushalt_f99010214": "1",
        "schulterhoehe_f99010223": "55,5",
        "gefaehrlicher_hund_f99010215": "nein",
        "steuerbefreiung_beantragt_f99010217": "on",
        "begruendung_steuerbefreiung_f99010218": "Hund aus dem Tierheim „Unna-Königsborn“",
    }
    with translation.override("de"):
        cleaned, errors = validate_values(fields_of(form), answers)
    assert errors == {}
    assert cleaned["familienname_f99010201"] == "Yılmaz–Şahin"
    assert cleaned["schulterhoehe_f99010223"] == "55.5"
    assert cleaned["steuerbefreiung_beantragt_f99010217"] is True
    assert cleaned["begruendung_steuerbefreiung_f99010218"].endswith("„Unna-Königsborn“")


def test_umlauts_and_german_quotes_survive_the_round_trip(result):
    text = json.dumps(result.definition, ensure_ascii=False)
    assert json.loads(text) == result.definition
    assert "\ufffd" not in text
    expected = {
        "2.0": ["„Yılmaz–Şahin“", "„gefährliche Hunde“", "Schulterhöhe", "(€)", "§ 3 LHundG"],
        "3.0.0": ["„Nguyễn“", "„Wohnungsgeberbestätigung“", "Zuständige Meldebehörde"],
    }[result.report.standard]
    for fragment in expected:
        assert fragment in text


def test_every_german_text_without_english_is_reported(result):
    untranslated = result.report.untranslated
    assert "service name" in untranslated
    for step in result.definition["form"]["steps"]:
        assert step["title"]["en"] == ""
        assert f"step {step['title']['de']!r}: title" in untranslated
        for spec in step["fields"]:
            assert spec["label"]["en"] == ""
            assert f"field {spec['name']}: label" in untranslated
            if "help" in spec:
                assert f"field {spec['name']}: help" in untranslated


def test_the_same_file_gives_the_same_definition(result):
    again = load(
        "hundesteuer-2.0.xml" if result.report.standard == "2.0" else "wohnung-3.0.0.xml",
        "fim-test",
    )
    assert again.definition == result.definition
    assert again.report == result.report
