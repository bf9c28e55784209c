"""The rules of a form: answers checked against their fields, and form definitions checked
for mistakes. The API and the pages both call `validate_form` (the questions that apply,
catalog/forms/conditions.py, then `validate_values`); the loader, the importer and the
admin call `schema_errors`."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from catalog.forms.conditions import condition_errors, hidden_names, shown_steps
from catalog.forms.fields import ALLOWED_UPLOAD_TYPES, AUTOCOMPLETE_TOKENS, FIELD_KEYS, Field
from catalog.forms.types import TYPES
from catalog.vocabulary import VERIFIED_ATTRIBUTES

#: The most files one field may take.
MAX_FILES_LIMIT = 20

STEP_KEYS = {"title", "fields", "visible_if", "notice"}
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,79}$")

Errors = dict[str, list[str]]


def validate_values(
    fields: list[Field], values: dict[str, Any], *, refuse_unknown: bool = True
) -> tuple[dict[str, Any], Errors]:
    """Check `values` against `fields` (file fields excepted) and return (cleaned, errors).

    Values come as JSON types from the API or as strings from the pages; both are accepted.
    Missing, None and "" all mean "not answered"."""
    cleaned: dict[str, Any] = {}
    errors: Errors = {}
    known = {f.name for f in fields}
    if refuse_unknown:
        for name in values:
            if name not in known:
                errors[name] = [_("Unknown field.")]
    for field in fields:
        if field.kind.is_file:
            continue
        raw = values.get(field.name)
        if raw is None or raw == "" or raw == []:
            if field.required:
                errors[field.name] = [_("This field is required.")]
            continue
        try:
            value = field.kind.clean(field, raw)
        except ValidationError as exc:
            errors[field.name] = exc.messages
            continue
        if value is False and field.required:
            errors[field.name] = [_("Please confirm this.")]
            continue
        cleaned[field.name] = value
    return cleaned, errors


def validate_form(
    form: dict[str, Any], values: dict[str, Any], *, step: int | None = None
) -> tuple[dict[str, Any], Errors]:
    """Check `values` against the questions of `form` that apply to them (conditions,
    catalog/forms/conditions.py), file fields excepted: answers to hidden questions are
    dropped without complaint, hidden questions are never required, anything else unknown
    is an error. With `step` (1-based), only that step's questions are checked and other
    values only decide the conditions (the citizen's pages)."""
    hidden = hidden_names(form, values)
    shown = shown_steps(form, values)
    if step is not None:
        fields = [f for s in shown if s.number == step for f in s.fields]
        return validate_values(
            fields, {k: v for k, v in values.items() if k not in hidden}, refuse_unknown=False
        )
    fields = [f for s in shown for f in s.fields]
    return validate_values(fields, {k: v for k, v in values.items() if k not in hidden})


def clean_value(field: Field, raw: Any) -> Any:
    """One answer, checked and normalised to its stored JSON form; ValidationError if wrong."""
    return field.kind.clean(field, raw)


def schema_errors(form: Any) -> list[str]:
    """Everything wrong with a form definition, as readable sentences (empty when valid)."""
    problems: list[str] = []
    if not isinstance(form, dict) or not isinstance(form.get("steps"), list) or not form["steps"]:
        return ['The form must be an object with a non-empty list "steps".']
    seen: set[str] = set()
    earlier: dict[str, Field] = {}
    for number, step in enumerate(form["steps"], start=1):
        where = f"step {number}"
        if not isinstance(step, dict) or not isinstance(step.get("fields"), list):
            problems.append(f'{where}: needs a list "fields".')
            continue
        if not step.get("title"):
            problems.append(f"{where}: needs a title.")
        unknown = set(step) - STEP_KEYS
        if unknown:
            problems.append(f"{where}: unknown keys {', '.join(sorted(map(str, unknown)))}.")
        if "visible_if" in step:
            problems.extend(condition_errors(step["visible_if"], dict(earlier), where))
        problems.extend(_text_errors(step, ("notice",), where))
        # A field's condition may ask fields of earlier steps and earlier fields of its own.
        here = dict(earlier)
        for spec in step["fields"]:
            problems.extend(_field_schema_errors(spec, where, seen))
            if not isinstance(spec, dict):
                continue
            if "visible_if" in spec:
                label = f"{where}, field {spec.get('name')!r}"
                problems.extend(condition_errors(spec["visible_if"], here, label))
            if isinstance(spec.get("name"), str) and str(spec.get("type")) in TYPES:
                here.setdefault(spec["name"], Field(spec))
        earlier = here
    return problems


def _text_errors(spec: dict[str, Any], keys: tuple[str, ...], label: str) -> list[str]:
    return [
        f'{label}: {key} must be {{"de": …, "en": …}} text.'
        for key in keys
        if key in spec
        and not (
            isinstance(spec[key], dict)
            and spec[key]
            and all(isinstance(v, str) for v in spec[key].values())
        )
    ]


def _field_schema_errors(spec: Any, where: str, seen: set[str]) -> list[str]:
    if not isinstance(spec, dict):
        return [f"{where}: every field must be an object."]
    name = spec.get("name")
    label = f"{where}, field {name!r}"
    problems = []
    if not isinstance(name, str) or not NAME_RE.match(name):
        problems.append(f"{label}: the name must be lower-case letters, digits and _.")
    elif name in seen:
        problems.append(f"{label}: the name is used twice.")
    else:
        seen.add(name)
    kind = TYPES.get(spec.get("type")) if isinstance(spec.get("type"), str) else None
    if kind is None:
        problems.append(
            f"{label}: unknown type {spec.get('type')!r}; use one of {', '.join(TYPES)}."
        )
    unknown = set(spec) - FIELD_KEYS
    if unknown:
        problems.append(f"{label}: unknown keys {', '.join(sorted(unknown))}.")
    if not spec.get("label"):
        problems.append(f"{label}: needs a label.")
    if kind is not None:
        problems.extend(kind.spec_errors(spec, label))
    problems.extend(_text_errors(spec, ("heading", "notice"), label))
    if "autocomplete" in spec and spec["autocomplete"] not in AUTOCOMPLETE_TOKENS:
        problems.append(
            f"{label}: autocomplete must be one of {', '.join(sorted(AUTOCOMPLETE_TOKENS))}."
        )
    if "pattern" in spec:
        try:
            re.compile(spec["pattern"])
        except (re.error, TypeError):
            problems.append(f"{label}: the pattern is not a valid regular expression.")
    for low, high in (("min_length", "max_length"), ("min", "max")):
        if low in spec and high in spec and spec[low] > spec[high]:
            problems.append(f"{label}: {low} is greater than {high}.")
    if "verified" in spec:
        wanted = (
            VERIFIED_ATTRIBUTES.get(spec["verified"]) if isinstance(spec["verified"], str) else None
        )
        if wanted is None:
            problems.append(f"{label}: verified must be one of {', '.join(VERIFIED_ATTRIBUTES)}.")
        elif spec.get("type") != wanted:
            problems.append(f"{label}: verified {spec['verified']} needs a field of type {wanted}.")
    if "max_files" in spec and not (
        isinstance(spec["max_files"], int)
        and not isinstance(spec["max_files"], bool)
        and 1 <= spec["max_files"] <= MAX_FILES_LIMIT
    ):
        problems.append(f"{label}: max_files is a whole number from 1 to {MAX_FILES_LIMIT}.")
    for mime in spec.get("accept") or []:
        if mime not in ALLOWED_UPLOAD_TYPES:
            problems.append(f"{label}: file type {mime} is not supported.")
    return problems
