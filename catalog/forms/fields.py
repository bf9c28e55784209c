"""A service's form as data: `{"steps": [{"title": {...}, "fields": [field, ...]}]}`, a field
being `{"name", "type", "label", "required", "min_length", "max_length", "min", "max",
"pattern", "choices", "help", "accept", "max_size_mb", "max_files", "fim_id", "visible_if",
"heading", "notice", "autocomplete", "verified"}` (FIM-inspired, docs/architecture.md, The
form engine). A step is `{"title", "fields", "visible_if", "notice"}`; `visible_if` is read
by catalog/forms/conditions.py. `verified` names what the field takes from a signed-in
citizen's verified identity (catalog.vocabulary.VERIFIED_ATTRIBUTES)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from catalog.forms.types import FieldType, field_type
from core.i18n import translated

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
    "max_files",
    "fim_id",
    "visible_if",
    "heading",
    "notice",
    "autocomplete",
    "verified",
}
#: What a field may say in `autocomplete`: the HTML standard's tokens for a person and their
#: address (the browser fills the field from what it knows of its user), "on" (the browser's
#: own guess, e.g. for a house number, which has no token) or "off" (about someone else: a
#: third person's birth date, a tree's location). Without the key, the citizen pages choose
#: by the field's name (citizen/flow.py).
AUTOCOMPLETE_TOKENS = {
    "off",
    "on",
    "name",
    "honorific-prefix",
    "given-name",
    "additional-name",
    "family-name",
    "honorific-suffix",
    "organization",
    "street-address",
    "address-line1",
    "address-line2",
    "address-line3",
    "address-level1",
    "address-level2",
    "address-level3",
    "address-level4",
    "country",
    "country-name",
    "postal-code",
    "bday",
    "sex",
    "email",
    "tel",
    "url",
}
ALLOWED_UPLOAD_TYPES = ("application/pdf", "image/jpeg", "image/png")


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
    def kind(self) -> FieldType:
        """The field's type object (catalog/forms/types.py)."""
        return field_type(self.type)

    @property
    def required(self) -> bool:
        return bool(self.spec.get("required", False))

    @property
    def label(self) -> str:
        return translated(self.spec.get("label")) or self.name

    @property
    def verified(self) -> str:
        """The verified attribute this field takes ("family_name", …), or ""."""
        return str(self.spec.get("verified") or "")

    @property
    def help(self) -> str:
        return translated(self.spec.get("help"))

    @property
    def heading(self) -> str:
        """A sub-heading shown before the field (e.g. a nested FIM group's label)."""
        return translated(self.spec.get("heading"))

    @property
    def notice(self) -> str:
        """Hint text shown before the field."""
        return translated(self.spec.get("notice"))

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

    @property
    def max_files(self) -> int:
        """How many files the field takes (the definition's `max_files`, default 1). The
        browser form takes one per field; more come through the API."""
        return int(self.spec.get("max_files") or 1)

    def display(self, value: Any) -> str:
        """The answer as a person reads it (pages, PDFs, CSV)."""
        return self.kind.display(self, value)


def steps_of(form: dict[str, Any]) -> list[dict[str, Any]]:
    return list(form.get("steps", []))


def fields_of(form: dict[str, Any], step: int | None = None) -> list[Field]:
    """The form's fields, all of them or those of one step (0-based)."""
    steps = steps_of(form)
    if step is not None:
        steps = [steps[step]]
    return [Field(f) for s in steps for f in s.get("fields", [])]
