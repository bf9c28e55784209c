"""The form engine: one place for every rule of a service's form.

The API and the pages both call `validate_values`; the loader and the admin call
`schema_errors`. A form is `{"steps": [{"title": {...}, "fields": [field, ...]}]}` and a field
is `{"name", "type", "label", "required", "min_length", "max_length", "min", "max", "pattern",
"choices", "help", "accept", "max_size_mb"}` (FIM-inspired, see DESIGN.md).
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from services.models import translated

FIELD_TYPES = (
    "text",
    "textarea",
    "email",
    "phone",
    "date",
    "integer",
    "decimal",
    "choice",
    "multichoice",
    "boolean",
    "iban",
    "file",
)
FIELD_KEYS = {
    "name",
    "type",
    "label",
    "required",
    "min_length",
    "max_length",
    "min",
    "max",
    "pattern",
    "choices",
    "help",
    "accept",
    "max_size_mb",
    "fim_id",
}
ALLOWED_UPLOAD_TYPES = ("application/pdf", "image/jpeg", "image/png")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,79}$")

Errors = dict[str, list[str]]


@dataclass(frozen=True)
class Field:
    spec: dict[str, Any]

    @property
    def name(self) -> str:
        return self.spec["name"]

    @property
    def type(self) -> str:
        return self.spec["type"]

    @property
    def required(self) -> bool:
        return bool(self.spec.get("required", False))

    @property
    def label(self) -> str:
        return translated(self.spec.get("label")) or self.name

    @property
    def help(self) -> str:
        return translated(self.spec.get("help"))

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [
            (c["value"], translated(c.get("label")) or c["value"])
            for c in self.spec.get("choices", [])
        ]

    @property
    def accept(self) -> list[str]:
        return list(self.spec.get("accept") or ALLOWED_UPLOAD_TYPES)

    @property
    def max_bytes(self) -> int:
        limit = settings.UPLOAD_MAX_BYTES
        if self.spec.get("max_size_mb"):
            limit = min(limit, int(self.spec["max_size_mb"]) * 1024 * 1024)
        return limit


def steps_of(form: dict[str, Any]) -> list[dict[str, Any]]:
    return list(form.get("steps", []))


def fields_of(form: dict[str, Any], step: int | None = None) -> list[Field]:
    """The form's fields, all of them or those of one step (0-based)."""
    steps = steps_of(form)
    if step is not None:
        steps = [steps[step]]
    return [Field(f) for s in steps for f in s.get("fields", [])]


# --- schema -----------------------------------------------------------------------------


def schema_errors(form: Any) -> list[str]:
    """Everything wrong with a form definition, as readable sentences (empty when valid)."""
    problems: list[str] = []
    if not isinstance(form, dict) or not isinstance(form.get("steps"), list) or not form["steps"]:
        return ['The form must be an object with a non-empty list "steps".']
    seen: set[str] = set()
    for number, step in enumerate(form["steps"], start=1):
        where = f"step {number}"
        if not isinstance(step, dict) or not isinstance(step.get("fields"), list):
            problems.append(f'{where}: needs a list "fields".')
            continue
        if not step.get("title"):
            problems.append(f"{where}: needs a title.")
        for spec in step["fields"]:
            problems.extend(_field_schema_errors(spec, where, seen))
    return problems


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
    if spec.get("type") not in FIELD_TYPES:
        problems.append(
            f"{label}: unknown type {spec.get('type')!r}; use one of {', '.join(FIELD_TYPES)}."
        )
    unknown = set(spec) - FIELD_KEYS
    if unknown:
        problems.append(f"{label}: unknown keys {', '.join(sorted(unknown))}.")
    if not spec.get("label"):
        problems.append(f"{label}: needs a label.")
    if spec.get("type") in ("choice", "multichoice"):
        choices = spec.get("choices")
        if (
            not isinstance(choices, list)
            or not choices
            or not all(isinstance(c, dict) and "value" in c for c in choices)
        ):
            problems.append(f"{label}: needs a non-empty list of choices with a value each.")
    if "pattern" in spec:
        try:
            re.compile(spec["pattern"])
        except (re.error, TypeError):
            problems.append(f"{label}: the pattern is not a valid regular expression.")
    for low, high in (("min_length", "max_length"), ("min", "max")):
        if low in spec and high in spec and spec[low] > spec[high]:
            problems.append(f"{label}: {low} is greater than {high}.")
    for mime in spec.get("accept") or []:
        if mime not in ALLOWED_UPLOAD_TYPES:
            problems.append(f"{label}: file type {mime} is not supported.")
    return problems


# --- values -----------------------------------------------------------------------------


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
        if field.type == "file":
            continue
        raw = values.get(field.name)
        if raw is None or raw == "" or raw == []:
            if field.required:
                errors[field.name] = [_("This field is required.")]
            continue
        try:
            value = clean_value(field, raw)
        except ValidationError as exc:
            errors[field.name] = exc.messages
            continue
        if value is False and field.required:
            errors[field.name] = [_("Please confirm this.")]
            continue
        cleaned[field.name] = value
    return cleaned, errors


def clean_value(field: Field, raw: Any) -> Any:
    """One answer, checked and normalised to its stored JSON form; ValidationError if wrong."""
    spec = field.spec
    kind = field.type
    if kind in ("text", "textarea", "email", "phone"):
        if not isinstance(raw, str):
            raise ValidationError(_("Enter text."))
        if "\x00" in raw:
            # PostgreSQL cannot store NUL in text or jsonb; refuse it here, not with a 500.
            raise ValidationError(_("The text contains a character that is not allowed."))
        value = raw.strip() if kind != "textarea" else raw.strip("\n\r ")
        _check_length(spec, value)
        if kind == "email":
            validate_email(value)
        if (
            kind == "phone"
            and not spec.get("pattern")
            and not re.fullmatch(r"\+?[0-9 ()/-]{5,25}", value)
        ):
            raise ValidationError(_("Enter a telephone number."))
        if spec.get("pattern") and not re.fullmatch(spec["pattern"], value):
            raise ValidationError(_("The format is not valid."))
        return value
    if kind == "date":
        # Only YYYY-MM-DD: fromisoformat alone would also take 20260604 and week dates.
        if not isinstance(raw, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw.strip()):
            raise ValidationError(_("Enter a date as YYYY-MM-DD."))
        try:
            return datetime.date.fromisoformat(raw.strip()).isoformat()
        except ValueError as exc:
            raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from exc
    if kind == "integer":
        if isinstance(raw, bool) or not (
            isinstance(raw, int) or (isinstance(raw, str) and re.fullmatch(r"\s*-?\d+\s*", raw))
        ):
            raise ValidationError(_("Enter a whole number."))
        value = int(raw)
        _check_range(spec, value)
        return value
    if kind == "decimal":
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise ValidationError(_("Enter a number."))
        try:
            value = Decimal(str(raw).strip().replace(",", "."))
        except InvalidOperation as exc:
            raise ValidationError(_("Enter a number.")) from exc
        if not value.is_finite():
            raise ValidationError(_("Enter a number."))
        _check_range(spec, value)
        return format(value.normalize(), "f")
    if kind == "choice":
        allowed = [c for c, _label in field.choices]
        if raw not in allowed:
            raise ValidationError(_("Select one of the offered choices."))
        return raw
    if kind == "multichoice":
        allowed = [c for c, _label in field.choices]
        if not isinstance(raw, list) or not all(v in allowed for v in raw):
            raise ValidationError(_("Select only offered choices."))
        return [c for c in allowed if c in raw]
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in ("on", "true", "1", "yes", "ja"):
            return True
        if isinstance(raw, str) and raw.lower() in ("off", "false", "0", "no", "nein"):
            return False
        raise ValidationError(_("Answer yes or no."))
    if kind == "iban":
        if not isinstance(raw, str):
            raise ValidationError(_("Enter a valid IBAN."))
        try:
            return IBAN(raw).compact
        except SchwiftyException as exc:
            raise ValidationError(_("Enter a valid IBAN.")) from exc
    raise ValidationError(_("This field cannot be answered here."))


def _check_length(spec: dict[str, Any], value: str) -> None:
    if "min_length" in spec and len(value) < spec["min_length"]:
        raise ValidationError(_("Enter at least %(n)d characters.") % {"n": spec["min_length"]})
    if "max_length" in spec and len(value) > spec["max_length"]:
        raise ValidationError(_("Enter at most %(n)d characters.") % {"n": spec["max_length"]})


def _check_range(spec: dict[str, Any], value: int | Decimal) -> None:
    if "min" in spec and value < Decimal(str(spec["min"])):
        raise ValidationError(_("Enter %(n)s or more.") % {"n": spec["min"]})
    if "max" in spec and value > Decimal(str(spec["max"])):
        raise ValidationError(_("Enter %(n)s or less.") % {"n": spec["max"]})


# --- files ------------------------------------------------------------------------------


class UploadTooLarge(Exception):
    """A file exceeds its field's limit; the API answers 413."""

    def __init__(self, field: str, limit: int) -> None:
        super().__init__(field)
        self.field = field
        self.limit = limit


@dataclass(frozen=True)
class CheckedFile:
    field: str
    upload: UploadedFile
    content_type: str


def sniff_content_type(upload: UploadedFile) -> str | None:
    """The type of the file's bytes (never its name or the client's claim)."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    return kind.mime if kind else None


def validate_files(
    fields: list[Field], files: dict[str, list[UploadedFile]], *, require: bool = True
) -> tuple[list[CheckedFile], Errors]:
    """Check uploads against the file fields. Raises UploadTooLarge for an oversized file;
    returns (checked files, errors) otherwise. Nothing is stored here."""
    file_fields = {f.name: f for f in fields if f.type == "file"}
    errors: Errors = {}
    checked: list[CheckedFile] = []
    for name in files:
        if name not in file_fields:
            errors[name] = [_("Unknown field.")]
    for name, field in file_fields.items():
        uploads = files.get(name) or []
        if not uploads:
            if field.required and require:
                errors[name] = [_("Please upload a file.")]
            continue
        for upload in uploads:
            if upload.size > field.max_bytes:
                raise UploadTooLarge(name, field.max_bytes)
            mime = sniff_content_type(upload)
            if mime not in field.accept:
                errors[name] = [
                    _("The file must be one of: %(types)s.")
                    % {"types": ", ".join(t.split("/")[1].upper() for t in field.accept)}
                ]
                break
            checked.append(CheckedFile(field=name, upload=upload, content_type=mime))
    return checked, errors
