"""The form engine (catalog/forms/): the one place every form rule lives."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from catalog.forms.fields import Field, fields_of
from catalog.forms.uploads import validate_files
from catalog.forms.validation import clean_value, schema_errors, validate_values
from core.errors import FileTooLarge
from tests.files import exe_bytes, jpeg_bytes, pdf_bytes, png_bytes, upload

FORM = {
    "steps": [
        {"title": {"de": "Eins"}, "fields": [{"name": "a", "type": "text", "label": "A"}]},
        {
            "title": {"de": "Zwei"},
            "fields": [
                {"name": "b", "type": "integer", "label": "B", "required": True},
                {"name": "c", "type": "file", "label": "C"},
            ],
        },
    ]
}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_fields_of_lists_all_fields_or_those_of_one_step():
    assert [f.name for f in fields_of(FORM)] == ["a", "b", "c"]
    assert [f.name for f in fields_of(FORM, step=1)] == ["b", "c"]


def test_a_valid_form_has_no_schema_errors():
    assert schema_errors(FORM) == []


@pytest.mark.parametrize(
    ("form", "fragment"),
    [
        ({}, "non-empty list"),
        ({"steps": []}, "non-empty list"),
        ({"steps": [{"title": "x"}]}, 'list "fields"'),
        ({"steps": [{"fields": []}]}, "needs a title"),
        (
            {"steps": [{"title": "x", "fields": [{"name": "A", "type": "text", "label": "x"}]}]},
            "lower-case",
        ),
        (
            {"steps": [{"title": "x", "fields": [{"name": "a", "type": "colour", "label": "x"}]}]},
            "unknown type",
        ),
        ({"steps": [{"title": "x", "fields": [{"name": "a", "type": "text"}]}]}, "needs a label"),
        (
            {
                "steps": [
                    {
                        "title": "x",
                        "fields": [
                            {"name": "a", "type": "text", "label": "x"},
                            {"name": "a", "type": "text", "label": "y"},
                        ],
                    }
                ]
            },
            "used twice",
        ),
        (
            {
                "steps": [
                    {
                        "title": "x",
                        "fields": [{"name": "a", "type": "choice", "label": "x", "choices": []}],
                    }
                ]
            },
            "choices",
        ),
        (
            {
                "steps": [
                    {
                        "title": "x",
                        "fields": [{"name": "a", "type": "text", "label": "x", "pattern": "("}],
                    }
                ]
            },
            "regular expression",
        ),
        (
            {
                "steps": [
                    {
                        "title": "x",
                        "fields": [
                            {
                                "name": "a",
                                "type": "text",
                                "label": "x",
                                "min_length": 5,
                                "max_length": 2,
                            }
                        ],
                    }
                ]
            },
            "greater than",
        ),
        (
            {
                "steps": [
                    {
                        "title": "x",
                        "fields": [{"name": "a", "type": "text", "label": "x", "colour": "red"}],
                    }
                ]
            },
            "unknown keys",
        ),
        (
            {
                "steps": [
                    {
                        "title": "x",
                        "fields": [
                            {"name": "a", "type": "file", "label": "x", "accept": ["text/html"]}
                        ],
                    }
                ]
            },
            "not supported",
        ),
    ],
)
def test_schema_errors_name_what_is_wrong(form, fragment):
    problems = schema_errors(form)
    assert problems
    assert any(fragment in p for p in problems), problems


def test_missing_none_and_empty_all_mean_not_answered():
    fields = [Field({"name": n, "type": "text", "required": True}) for n in ("x", "y", "z")]
    cleaned, errors = validate_values(fields, {"x": None, "y": ""})
    assert cleaned == {}
    assert set(errors) == {"x", "y", "z"}


def test_unknown_fields_can_be_allowed_for_partial_page_checks():
    fields = [Field({"name": "x", "type": "text"})]
    assert validate_values(fields, {"y": "1"})[1] == {"y": ["Unknown field."]}
    assert validate_values(fields, {"y": "1"}, refuse_unknown=False)[1] == {}


@pytest.mark.parametrize(
    ("spec", "raw", "expected"),
    [
        ({"type": "text"}, "  Erika  ", "Erika"),
        ({"type": "textarea"}, "\nZeile 1\n  Zeile 2\n", "Zeile 1\n  Zeile 2"),
        ({"type": "integer"}, "42", 42),
        ({"type": "decimal"}, "1,50", "1.5"),
        ({"type": "decimal"}, 2, "2"),
        ({"type": "date"}, "2026-06-04", "2026-06-04"),
        ({"type": "boolean"}, "ja", True),
        ({"type": "boolean"}, "off", False),
        ({"type": "iban"}, "de89 3704 0044 0532 0130 00", "DE89370400440532013000"),
        (
            {"type": "multichoice", "choices": [{"value": "a"}, {"value": "b"}]},
            ["b", "a"],
            ["a", "b"],
        ),
        ({"type": "phone"}, "+49 (2303) 27-0", "+49 (2303) 27-0"),
    ],
)
def test_clean_value_normalises_answers(spec, raw, expected):
    assert clean_value(Field({"name": "f", **spec}), raw) == expected


@pytest.mark.parametrize(
    ("spec", "raw"),
    [
        ({"type": "decimal"}, "Infinity"),
        ({"type": "decimal"}, [1]),
        ({"type": "date"}, 20260604),
        ({"type": "date"}, "2026-W23-4"),
        ({"type": "email"}, "a@b"),
        ({"type": "file"}, "x.pdf"),
        ({"type": "text"}, {"a": 1}),
    ],
)
def test_clean_value_refuses_what_does_not_fit(spec, raw):
    with pytest.raises(ValidationError):
        clean_value(Field({"name": "f", **spec}), raw)


FILE_FIELDS = [
    Field({"name": "beleg", "type": "file", "required": True, "max_size_mb": 1, "max_files": 2}),
    Field({"name": "foto", "type": "file", "accept": ["image/jpeg"]}),
]


def test_files_are_accepted_by_their_bytes():
    checked, errors = validate_files(
        FILE_FIELDS,
        {
            "beleg": [upload("a.bin", pdf_bytes()), upload("b", png_bytes())],
            "foto": [upload("c.png", jpeg_bytes())],
        },
    )
    assert errors == {}
    assert [(c.field, c.content_type) for c in checked] == [
        ("beleg", "application/pdf"),
        ("beleg", "image/png"),
        ("foto", "image/jpeg"),
    ]


def test_wrong_file_types_and_missing_required_files_are_errors():
    _checked, errors = validate_files(FILE_FIELDS, {"foto": [upload("c.jpg", png_bytes())]})
    assert set(errors) == {"beleg", "foto"}
    _checked, errors = validate_files(FILE_FIELDS, {"beleg": [upload("x.pdf", exe_bytes())]})
    assert "PDF" in errors["beleg"][0]
    assert validate_files(FILE_FIELDS, {}, require=False)[1] == {}


def test_an_oversized_file_raises_upload_too_large_with_its_limit():
    big = upload("big.pdf", pdf_bytes() + bytes(1024 * 1024))
    with pytest.raises(FileTooLarge) as raised:
        validate_files(FILE_FIELDS, {"beleg": [big]})
    assert raised.value.field == "beleg"
    assert raised.value.limit == 1024 * 1024


def test_a_field_cannot_raise_the_portal_wide_upload_limit(settings):
    settings.UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    assert Field({"name": "f", "type": "file", "max_size_mb": 50}).max_bytes == 2 * 1024 * 1024
    assert Field({"name": "f", "type": "file"}).max_bytes == 2 * 1024 * 1024
    assert Field({"name": "f", "type": "file", "max_size_mb": 1}).max_bytes == 1024 * 1024


def test_labels_follow_the_active_language():
    field = Field({"name": "f", "type": "text", "label": {"de": "Name", "en": "Surname"}})
    assert field.label == "Surname"
    with translation.override("de"):
        assert field.label == "Name"
