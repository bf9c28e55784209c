"""The field types of the form engine: one small class per type, registered by name.

A type knows everything about its answers:

- `parse(field, raw)`: the raw answer (JSON from the API, a string from a page) as the
  stored JSON value; raises ValidationError with a message for the citizen;
- `validate(field, value)`: the field's own rules on the parsed value (length, range,
  pattern);
- how a page asks for it: `template` (under `templates/citizen/fields/`), `input_type`,
  `inputmode`, `from_post` (browser form data → raw answer) and `page_text` (stored value →
  text box);
- `display(field, value)`: the answer as a person reads it in the page's language — on the
  check and case pages, in PDFs and in CSV files;
- `spec_errors(spec, label)`: what is wrong with a field definition of this type.

A new type is one class here, decorated with `@register`; the registry refuses a second
class under the same name."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import QueryDict
from django.utils import formats
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from core.hygiene import MAX_INTEGER_DIGITS

if TYPE_CHECKING:
    from catalog.forms.fields import Field

TYPES: dict[str, FieldType] = {}

# Dates are typed as people write them (15.03.1990 or 15/03/1990); the engine stores ISO.
LOCAL_DATE = re.compile(r"\s*(\d{1,2})[./](\d{1,2})[./](\d{4})\s*")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def register(cls: type[FieldType]) -> type[FieldType]:
    if cls.name in TYPES:
        raise ValueError(f"field type {cls.name!r} is registered twice")
    TYPES[cls.name] = cls()
    return cls


def field_type(name: str) -> FieldType:
    """The type registered as `name`; KeyError for an unknown one."""
    return TYPES[name]


class FieldType:
    name: ClassVar[str] = ""
    #: Page widget: template under templates/citizen/fields/, <input type>, inputmode.
    template: ClassVar[str] = "input.html"
    input_type: ClassVar[str] = "text"
    inputmode: ClassVar[str] = ""
    spellcheck: ClassVar[bool] = True
    #: The page explains the expected format (a date's, an upload's) below the label.
    format_hint: ClassVar[bool] = False
    #: Answered by an upload, not by a value (checked by catalog/forms/uploads.py).
    is_file: ClassVar[bool] = False

    def parse(self, field: Field, raw: Any) -> Any:
        raise ValidationError(_("This field cannot be answered here."))

    def validate(self, field: Field, value: Any) -> None:
        return None

    def clean(self, field: Field, raw: Any) -> Any:
        """Parse and validate one answer: its stored JSON form, or ValidationError."""
        value = self.parse(field, raw)
        self.validate(field, value)
        return value

    def from_post(self, field: Field, post: QueryDict) -> Any:
        """The browser's form data for the field as the engine takes it; None: no answer."""
        value = post.get(field.name, "")
        return value if value.strip() else None

    def page_text(self, field: Field, value: Any) -> str:
        """The stored value as a text box shows it."""
        if value is None or isinstance(value, bool | list):
            return ""
        return str(value)

    def display(self, field: Field, value: Any) -> str:
        """The answer as a person reads it, in the active language."""
        if value is None or value == "":
            return ""
        return str(value)

    def widget(self, field: Field) -> str:
        return self.template

    def spec_errors(self, spec: dict[str, Any], label: str) -> list[str]:
        return []


#: Longest answer of a text field (one line) and of a textarea whose definition sets no
#: `max_length` (docs/fim.md); a definition may set less, never more is stored unchecked.
TEXT_MAX_LENGTH = 1000
TEXTAREA_MAX_LENGTH = 10000


def _check_length(spec: dict[str, Any], value: str, default_max: int = TEXT_MAX_LENGTH) -> None:
    if "min_length" in spec and len(value) < spec["min_length"]:
        raise ValidationError(_("Enter at least %(n)d characters.") % {"n": spec["min_length"]})
    limit = spec.get("max_length", default_max)
    if len(value) > limit:
        raise ValidationError(_("Enter at most %(n)d characters.") % {"n": limit})


def _too_many_digits() -> str:
    return _("Enter a number of at most %(digits)d digits.") % {"digits": MAX_INTEGER_DIGITS}


def _check_range(spec: dict[str, Any], value: int | Decimal) -> None:
    if "min" in spec and value < Decimal(str(spec["min"])):
        raise ValidationError(_("Enter %(n)s or more.") % {"n": spec["min"]})
    if "max" in spec and value > Decimal(str(spec["max"])):
        raise ValidationError(_("Enter %(n)s or less.") % {"n": spec["max"]})


@register
class TextType(FieldType):
    name = "text"
    max_length = TEXT_MAX_LENGTH

    def strip(self, raw: str) -> str:
        return raw.strip()

    def parse(self, field: Field, raw: Any) -> str:
        if not isinstance(raw, str):
            raise ValidationError(_("Enter text."))
        if "\x00" in raw:
            # PostgreSQL cannot store NUL in text or jsonb; refuse it here, not with a 500.
            raise ValidationError(_("The text contains a character that is not allowed."))
        return self.strip(raw)

    def validate(self, field: Field, value: str) -> None:
        _check_length(field.spec, value, self.max_length)
        pattern = field.spec.get("pattern")
        if pattern and not re.fullmatch(pattern, value):
            raise ValidationError(_("The format is not valid."))


@register
class TextareaType(TextType):
    name = "textarea"
    max_length = TEXTAREA_MAX_LENGTH
    template = "textarea.html"

    def strip(self, raw: str) -> str:
        return raw.strip("\n\r ")


@register
class EmailType(TextType):
    name = "email"
    input_type = "email"

    def validate(self, field: Field, value: str) -> None:
        super().validate(field, value)
        validate_email(value)


@register
class PhoneType(TextType):
    name = "phone"
    input_type = "tel"

    def validate(self, field: Field, value: str) -> None:
        super().validate(field, value)
        if not field.spec.get("pattern") and not re.fullmatch(r"\+?[0-9 ()/-]{5,25}", value):
            raise ValidationError(_("Enter a telephone number."))


@register
class DateType(FieldType):
    name = "date"
    format_hint = True

    def parse(self, field: Field, raw: Any) -> str:
        # Only YYYY-MM-DD: fromisoformat alone would also take 20260604 and week dates.
        if not isinstance(raw, str) or not ISO_DATE.fullmatch(raw.strip()):
            raise ValidationError(_("Enter a date as YYYY-MM-DD."))
        try:
            return datetime.date.fromisoformat(raw.strip()).isoformat()
        except ValueError as exc:
            raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from exc

    def from_post(self, field: Field, post: QueryDict) -> Any:
        value = super().from_post(field, post)
        local = LOCAL_DATE.fullmatch(value) if value else None
        if local:
            day, month, year = local.groups()
            return f"{year}-{int(month):02d}-{int(day):02d}"
        return value

    def page_text(self, field: Field, value: Any) -> str:
        # A plain text box, not <input type=date>: its format follows the browser's
        # language, not the page's, and typing into it differs from browser to browser.
        if isinstance(value, str) and ISO_DATE.fullmatch(value):
            year, month, day = value.split("-")
            return f"{day}.{month}.{year}"
        return super().page_text(field, value)

    def display(self, field: Field, value: Any) -> str:
        if isinstance(value, str) and ISO_DATE.fullmatch(value):
            return formats.date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        return super().display(field, value)


@register
class IntegerType(FieldType):
    name = "integer"
    inputmode = "numeric"

    def parse(self, field: Field, raw: Any) -> int:
        if isinstance(raw, bool) or not (
            isinstance(raw, int) or (isinstance(raw, str) and re.fullmatch(r"\s*-?\d+\s*", raw))
        ):
            raise ValidationError(_("Enter a whole number."))
        if len(str(raw).strip().lstrip("-")) > MAX_INTEGER_DIGITS:
            raise ValidationError(_too_many_digits())
        return int(raw)

    def validate(self, field: Field, value: int) -> None:
        _check_range(field.spec, value)


@register
class DecimalType(FieldType):
    name = "decimal"
    inputmode = "decimal"

    def parse(self, field: Field, raw: Any) -> Decimal:
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise ValidationError(_("Enter a number."))
        try:
            value = Decimal(str(raw).strip().replace(",", "."))
        except InvalidOperation as exc:
            raise ValidationError(_("Enter a number.")) from exc
        if not value.is_finite():
            raise ValidationError(_("Enter a number."))
        # Bounded like integers: "1e999999999" would be written out in full when stored.
        if len(value.as_tuple().digits) > 2 * MAX_INTEGER_DIGITS or not (
            -MAX_INTEGER_DIGITS <= value.adjusted() < MAX_INTEGER_DIGITS
        ):
            if value != 0:
                raise ValidationError(_too_many_digits())
        return value

    def validate(self, field: Field, value: Decimal) -> None:
        _check_range(field.spec, value)

    def clean(self, field: Field, raw: Any) -> str:
        # Stored as a string: JSON numbers would lose the decimal's exactness.
        return format(super().clean(field, raw).normalize(), "f")

    def display(self, field: Field, value: Any) -> str:
        if value is None or value == "":
            return ""
        return formats.number_format(Decimal(str(value)))


@register
class ChoiceType(FieldType):
    name = "choice"
    template = "choice.html"
    #: More choices than this: a select box instead of radio buttons.
    RADIO_LIMIT: ClassVar[int] = 7

    def parse(self, field: Field, raw: Any) -> Any:
        if raw not in [value for value, _label in field.choices]:
            raise ValidationError(_("Select one of the offered choices."))
        return raw

    def widget(self, field: Field) -> str:
        return "select.html" if len(field.choices) > self.RADIO_LIMIT else self.template

    def display(self, field: Field, value: Any) -> str:
        if value is None or value == "":
            return ""
        return dict(field.choices).get(value, str(value))

    def spec_errors(self, spec: dict[str, Any], label: str) -> list[str]:
        choices = spec.get("choices")
        if (
            not isinstance(choices, list)
            or not choices
            or not all(isinstance(c, dict) and "value" in c for c in choices)
        ):
            return [f"{label}: needs a non-empty list of choices with a value each."]
        return []


@register
class MultichoiceType(ChoiceType):
    name = "multichoice"
    template = "multichoice.html"

    def parse(self, field: Field, raw: Any) -> list[str]:
        allowed = [value for value, _label in field.choices]
        if not isinstance(raw, list) or not all(v in allowed for v in raw):
            raise ValidationError(_("Select only offered choices."))
        return [c for c in allowed if c in raw]

    def widget(self, field: Field) -> str:
        return self.template

    def from_post(self, field: Field, post: QueryDict) -> Any:
        return [v for v in post.getlist(field.name) if v] or None

    def display(self, field: Field, value: Any) -> str:
        labels = dict(field.choices)
        return ", ".join(labels.get(v, v) for v in value or [])


@register
class BooleanType(FieldType):
    name = "boolean"
    template = "boolean.html"

    def parse(self, field: Field, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in ("on", "true", "1", "yes", "ja"):
            return True
        if isinstance(raw, str) and raw.lower() in ("off", "false", "0", "no", "nein"):
            return False
        raise ValidationError(_("Answer yes or no."))

    def from_post(self, field: Field, post: QueryDict) -> Any:
        # An unticked checkbox sends nothing: that is a "no", not a missing answer.
        return "on" if post.get(field.name) == "on" else False

    def display(self, field: Field, value: Any) -> str:
        if value is None or value == "":
            return ""
        return _("Yes") if value else _("No")


@register
class IbanType(FieldType):
    name = "iban"
    spellcheck = False

    def parse(self, field: Field, raw: Any) -> str:
        if not isinstance(raw, str):
            raise ValidationError(_("Enter a valid IBAN."))
        try:
            return IBAN(raw).compact
        except SchwiftyException as exc:
            raise ValidationError(_("Enter a valid IBAN.")) from exc


@register
class FileType(FieldType):
    name = "file"
    template = "file.html"
    format_hint = True
    is_file = True

    def from_post(self, field: Field, post: QueryDict) -> Any:
        return None  # uploads come through request.FILES
