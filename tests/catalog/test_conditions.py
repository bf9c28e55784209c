"""Conditional questions (catalog/forms/conditions.py): the evaluator, the definition
checks, and the rules carried through the catalog API and the JSON import/export."""

import copy
import io
import json

import pytest

from catalog.forms.conditions import holds, shown_fields, shown_steps, without_hidden
from catalog.forms.validation import schema_errors, validate_form
from catalog.services import definition_errors, service_export
from tests.factories import MunicipalityFactory, ServiceDefinitionFactory, ServiceOfferingFactory

L = {"de": "Feld", "en": "Field"}

#: A dog-tax form: the dog's details only for a dog owner, a reason only when asked for
#: exemption, the exemption step only for owners of a guide dog or a rescue dog.
DOG_FORM = {
    "steps": [
        {
            "title": {"de": "Haushalt", "en": "Household"},
            "fields": [
                {
                    "name": "hund",
                    "type": "choice",
                    "label": {"de": "Halten Sie einen Hund?", "en": "Do you keep a dog?"},
                    "required": True,
                    "choices": [
                        {"value": "ja", "label": {"de": "Ja", "en": "Yes"}},
                        {"value": "nein", "label": {"de": "Nein", "en": "No"}},
                    ],
                },
                {
                    "name": "rasse",
                    "type": "text",
                    "label": {"de": "Rasse", "en": "Breed"},
                    "required": True,
                    "visible_if": {"field": "hund", "equals": "ja"},
                },
                {
                    "name": "herkunft",
                    "type": "choice",
                    "label": {"de": "Herkunft", "en": "Origin"},
                    "required": True,
                    "choices": [
                        {"value": "tierheim", "label": {"de": "Tierheim", "en": "Shelter"}},
                        {"value": "blindenhund", "label": {"de": "Blindenhund", "en": "Guide"}},
                        {"value": "zuechter", "label": {"de": "Züchter", "en": "Breeder"}},
                    ],
                    "visible_if": {"field": "hund", "equals": "ja"},
                },
                {"name": "hunde", "type": "integer", "label": L, "min": 0, "max": 9},
            ],
        },
        {
            "title": {"de": "Befreiung", "en": "Exemption"},
            "visible_if": {
                "all": [
                    {"field": "hund", "equals": "ja"},
                    {"field": "herkunft", "in": ["tierheim", "blindenhund"]},
                ]
            },
            "fields": [
                {
                    "name": "begruendung",
                    "type": "textarea",
                    "label": {"de": "Begründung", "en": "Reason"},
                    "required": True,
                },
                {"name": "nachweis", "type": "file", "label": L, "required": True},
            ],
        },
        {
            "title": {"de": "Abschluss", "en": "Finally"},
            "fields": [
                {
                    "name": "hinweis",
                    "type": "text",
                    "label": L,
                    "required": True,
                    "visible_if": {
                        "any": [{"field": "hunde", "equals": 2}, {"field": "hunde", "in": [3, 4]}]
                    },
                }
            ],
        },
    ]
}


def test_the_form_is_a_valid_definition():
    assert schema_errors(DOG_FORM) == []


@pytest.mark.parametrize(
    ("condition", "answers", "expected"),
    [
        ({"field": "a", "equals": "x"}, {"a": "x"}, True),
        ({"field": "a", "equals": "x"}, {"a": "y"}, False),
        ({"field": "a", "equals": "x"}, {}, False),
        ({"field": "a", "in": ["x", "y"]}, {"a": "y"}, True),
        ({"field": "a", "equals": True}, {"a": True}, True),
        ({"field": "a", "equals": True}, {"a": "true"}, False),
        ({"field": "a", "equals": "12.5"}, {"a": "12.50"}, True),
        ({"field": "a", "equals": 3}, {"a": 3}, True),
        ({"field": "a", "equals": "b"}, {"a": ["a", "b"]}, True),
        ({"all": [{"field": "a", "equals": 1}, {"field": "b", "equals": 2}]}, {"a": 1}, False),
        ({"any": [{"field": "a", "equals": 1}, {"field": "b", "equals": 2}]}, {"b": 2}, True),
    ],
)
def test_holds(condition, answers, expected):
    assert holds(condition, answers) is expected


def test_hidden_questions_are_not_shown_and_hiding_one_hides_what_depends_on_it():
    no_dog = shown_steps(DOG_FORM, {"hund": "nein", "herkunft": "tierheim"})
    assert [s.number for s in no_dog] == [1, 3]
    assert [f.name for f in no_dog[0].fields] == ["hund", "hunde"]
    shelter = shown_steps(DOG_FORM, {"hund": "ja", "herkunft": "tierheim", "hunde": "3"})
    assert [s.number for s in shelter] == [1, 2, 3]
    assert [f.name for f in shelter[2].fields] == ["hinweis"]
    # Raw answers from a page count as their field reads them ("3" is the number 3).
    assert "hinweis" in {f.name for f in shown_fields(DOG_FORM, {"hunde": " 3 "})}


def test_a_hidden_required_question_may_be_missing_and_its_answer_is_dropped():
    cleaned, errors = validate_form(
        DOG_FORM, {"hund": "nein", "rasse": "Dackel", "begruendung": "x", "hunde": "0"}
    )
    assert errors == {}
    assert cleaned == {"hund": "nein", "hunde": 0}
    assert without_hidden(DOG_FORM, {"hund": "nein", "rasse": "Dackel"}) == {"hund": "nein"}


def test_a_shown_required_question_is_required_and_unknown_names_are_still_refused():
    _cleaned, errors = validate_form(DOG_FORM, {"hund": "ja", "herkunft": "zuechter", "x": 1})
    assert set(errors) == {"rasse", "x"}


def test_one_step_is_checked_with_the_other_answers_deciding_its_conditions():
    values = {"hund": "ja", "herkunft": "tierheim", "begruendung": ""}
    _cleaned, errors = validate_form(DOG_FORM, values, step=2)
    assert set(errors) == {"begruendung"}  # files are checked by uploads.py
    assert validate_form(DOG_FORM, {"hund": "nein"}, step=2) == ({}, {})


def _broken(path: list, value) -> dict:
    form = copy.deepcopy(DOG_FORM)
    target = form
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return form


@pytest.mark.parametrize(
    ("path", "condition", "message"),
    [
        (
            ["steps", 0, "fields", 1, "visible_if"],
            {"field": "hunde", "equals": 1},
            "no field before",
        ),
        (
            ["steps", 0, "fields", 1, "visible_if"],
            {"field": "rasse", "equals": "x"},
            "no field before",
        ),
        (
            ["steps", 0, "fields", 1, "visible_if"],
            {"field": "hund", "equals": "vielleicht"},
            "no answer",
        ),
        (
            ["steps", 0, "fields", 1, "visible_if"],
            {"field": "hund"},
            "needs field with equals or in",
        ),
        (["steps", 0, "fields", 1, "visible_if"], {"all": []}, "non-empty list"),
        (["steps", 0, "fields", 1, "visible_if"], "hund == ja", "must be an object"),
        (["steps", 1, "visible_if"], {"field": "begruendung", "equals": "x"}, "no field before"),
        (
            ["steps", 2, "fields", 0, "visible_if"],
            {"field": "nachweis", "equals": "x"},
            "file field",
        ),
        (["steps", 1, "sichtbar"], True, "unknown keys sichtbar"),
        (["steps", 0, "fields", 0, "heading"], "Haushalt", "heading must be"),
    ],
)
def test_a_wrong_condition_is_explained(path, condition, message):
    problems = schema_errors(_broken(path, condition))
    assert problems and all(message in p for p in problems), problems


def test_the_catalog_api_shows_the_rules_and_the_json_export_and_import_carry_them(
    db, api, tmp_path
):
    from django.core.management import call_command

    town = MunicipalityFactory(slug="holzwickede", name="Holzwickede")
    service = ServiceDefinitionFactory(key="hundesteuer-test", form=DOG_FORM, fee={"kind": "free"})
    ServiceOfferingFactory(municipality=town, service_key=service.key)
    listed = api.get("/api/v1/municipalities/holzwickede/services/").json()
    form = next(s for s in listed if s["key"] == "hundesteuer-test")["form"]
    assert form["steps"][1]["visible_if"] == DOG_FORM["steps"][1]["visible_if"]
    assert form["steps"][0]["fields"][1]["visible_if"] == {"field": "hund", "equals": "ja"}

    exported = service_export(service)
    assert exported["form"] == DOG_FORM
    assert definition_errors(exported) == []
    path = tmp_path / "hund.json"
    path.write_text(json.dumps({**exported, "key": "hundesteuer-kopie"}), encoding="utf-8")
    call_command("service_import", str(path), stdout=io.StringIO())
    from catalog.models import ServiceDefinition

    assert ServiceDefinition.objects.get(key="hundesteuer-kopie").form == DOG_FORM
