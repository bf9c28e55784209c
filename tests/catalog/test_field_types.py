"""The form engine's field types (catalog/forms/types.py): one class per type, registered by
name; each parses, checks and shows its answers — in the page's language."""

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import translation

from catalog.forms import types
from catalog.forms.fields import Field
from catalog.forms.validation import schema_errors


def field(**spec):
    return Field({"name": "x", "label": "X", **spec})


def test_the_registry_holds_the_form_vocabulary_and_refuses_a_second_type_of_a_name():
    assert set(types.TYPES) == {
        "text", "textarea", "email", "phone", "date", "integer", "decimal", "choice",
        "multichoice", "boolean", "iban", "file",
    }  # fmt: skip

    class AnotherText(types.FieldType):
        name = "text"

    with pytest.raises(ValueError, match="text"):
        types.register(AnotherText)
    assert schema_errors(
        {"steps": [{"title": "S", "fields": [{"name": "a", "label": "A", "type": "signature"}]}]}
    ) == ["step 1, field 'a': unknown type 'signature'; use one of " + ", ".join(types.TYPES) + "."]


@pytest.mark.parametrize(
    ("spec", "raw", "stored"),
    [
        ({"type": "text", "max_length": 30}, "  Łukasz Yılmaz–Şahin ", "Łukasz Yılmaz–Şahin"),
        ({"type": "date"}, "1990-03-15", "1990-03-15"),
        ({"type": "integer", "min": 1}, "3", 3),
        ({"type": "decimal"}, "12,50", "12.5"),
        ({"type": "boolean"}, "ja", True),
        ({"type": "iban"}, "DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
        (
            {"type": "multichoice", "choices": [{"value": "a"}, {"value": "b"}]},
            ["b", "a"],
            ["a", "b"],
        ),
    ],
)
def test_each_type_stores_its_answer_in_one_form(spec, raw, stored):
    f = field(**spec)
    assert f.kind.clean(f, raw) == stored


@pytest.mark.parametrize(
    ("spec", "raw"),
    [
        ({"type": "text"}, "nul\x00byte"),
        ({"type": "date"}, "20260604"),
        ({"type": "integer"}, "1.5"),
        ({"type": "decimal"}, "NaN"),
        ({"type": "phone"}, "call me"),
        ({"type": "choice", "choices": [{"value": "a"}]}, "z"),
        ({"type": "file"}, "a.pdf"),
    ],
)
def test_each_type_refuses_what_it_cannot_store(spec, raw):
    f = field(**spec)
    with pytest.raises(ValidationError):
        f.kind.clean(f, raw)


def test_answers_read_in_the_pages_language():
    date, money, yes = field(type="date"), field(type="decimal"), field(type="boolean")
    with translation.override("de"):
        assert (date.display("1990-03-15"), money.display("12.5"), yes.display(True)) == (
            "15.03.1990",
            "12,5",
            "Ja",
        )
    with translation.override("en"):
        assert money.display("12.5") == "12.5" and yes.display(True) == "Yes"
        assert "1990" in date.display("1990-03-15") and "15" in date.display("1990-03-15")


def test_pages_send_answers_as_the_types_expect():
    post = QueryDict("geburtsdatum=5.3.1990&farben=rot&farben=blau")
    date = Field({"name": "geburtsdatum", "type": "date", "label": "Geburtsdatum"})
    colours = Field({"name": "farben", "type": "multichoice", "label": "F", "choices": []})
    consent = Field({"name": "ok", "type": "boolean", "label": "OK"})
    assert date.kind.from_post(date, post) == "1990-03-05"
    assert date.kind.page_text(date, "1990-03-05") == "05.03.1990"
    assert colours.kind.from_post(colours, post) == ["rot", "blau"]
    assert consent.kind.from_post(consent, post) is False  # an unticked box is a "no"
