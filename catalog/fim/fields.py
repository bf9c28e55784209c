"""One XDatenfelder data field → a form engine type, its type-specific keys and constraints.

Feldart and Datentyp decide the type (docs/fim.md has the table); `praezisierung` becomes
length, range and pattern where the type has them; select fields get their choices from
inline values or a shipped code list. Whatever does not fit is passed to `note`.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from catalog.fim import codelists
from catalog.fim.model import DataField, Multiplicity
from catalog.forms.fields import ALLOWED_UPLOAD_TYPES

#: Text fields allowing more characters than this become `textarea`.
TEXTAREA_FROM = 200
#: Upload types the form engine accepts: its own list, so the two cannot drift apart.
ENGINE_UPLOAD_TYPES = ALLOWED_UPLOAD_TYPES

_INT = re.compile(r"^[+-]?\d+$")

Notify = Callable[..., None]


class FieldMapper:
    """Maps data fields, telling `note(code, message, element, line)` what it could not keep
    and `untranslated(where)` which German texts it produced; `code_lists` collects the
    referenced lists (by URN and version) with the fields using them."""

    def __init__(self, note: Notify, untranslated: Callable[[str], None]) -> None:
        self._note = note
        self._untranslated = untranslated
        self.code_lists: dict[tuple[str, str], dict[str, Any]] = {}

    def engine_type(
        self, data: DataField, multiplicity: Multiplicity, name: str
    ) -> tuple[str, dict[str, Any], str]:
        """The engine type, type-specific keys (choices, accept, …) and the choices' origin."""
        if data.feldart == "select":
            return self._select(data, multiplicity, name)
        kind = data.datentyp
        if kind in ("text", "text_latin"):
            if kind == "text_latin":
                self._note(
                    "latin_not_enforced",
                    "text_latin (DIN SPEC 91379 characters) is imported as text; the character "
                    "set is not checked.",
                    data.ref,
                    data.line,
                )
            limit = _int(data.constraints.get("maxLength", ""))
            return ("textarea" if limit and limit > TEXTAREA_FROM else "text"), {}, ""
        if kind in ("time", "datetime"):
            self._note(
                "time_as_text",
                f"{kind} has no form engine type; imported as text.",
                data.ref,
                data.line,
            )
            return "text", {}, ""
        if kind == "date":
            return "date", {}, ""
        if kind == "bool":
            if multiplicity.required:
                yes_no = codelists.lookup(codelists.YES_NO_URN)
                assert yes_no is not None
                self._note(
                    "bool_as_yes_no",
                    "a yes/no question that must be answered becomes a choice Ja/Nein "
                    "(a required tick box would only accept “yes”).",
                    data.ref,
                    data.line,
                )
                return (
                    "choice",
                    {"choices": copy.deepcopy(list(yes_no.choices))},
                    f"{yes_no.urn} {yes_no.version}",
                )
            return "boolean", {}, ""
        if kind == "num_int":
            return "integer", {}, ""
        if kind in ("num", "num_currency"):
            if kind == "num_currency":
                self._note(
                    "currency_as_decimal",
                    "an amount in euros is imported as a decimal number (two decimal places "
                    "are not enforced).",
                    data.ref,
                    data.line,
                )
            return "decimal", {}, ""
        # file, obj
        if kind == "obj":
            self._note("obj_as_file", "an object (obj) is imported as a file upload.", data.ref)
        return "file", self._file_rules(data), ""

    def _select(
        self, data: DataField, multiplicity: Multiplicity, name: str
    ) -> tuple[str, dict[str, Any], str]:
        kind = "multichoice" if multiplicity.repeats else "choice"
        if data.values:
            if data.code_list is not None:
                self._note(
                    "inline_values_preferred",
                    "the field has inline values and a code list reference; the inline values "
                    "are used.",
                    data.ref,
                    data.line,
                )
            choices = [{"value": v.code, "label": {"de": v.label, "en": ""}} for v in data.values]
            if any(v.help for v in data.values):
                self._note(
                    "value_help_dropped",
                    "help texts of single values are not imported.",
                    data.ref,
                    data.line,
                )
            self._untranslated(f"field {name}: choice labels")
            return kind, {"choices": choices}, "inline"
        ref = data.code_list
        if ref is None:
            self._note(
                "select_without_values",
                "a selection field without values or code list is imported as text.",
                data.ref,
                data.line,
            )
            return "text", {}, ""
        entry = self.code_lists.setdefault(
            (ref.urn, ref.version), {"fields": [], "resolved": False, "shipped": ""}
        )
        entry["fields"].append(name)
        shipped = codelists.lookup(ref.urn)
        if shipped is not None:
            entry["shipped"] = shipped.version
        if shipped is not None and ref.version in ("", shipped.version):
            entry["resolved"] = True
            if not ref.version:
                self._note(
                    "code_list_version_missing",
                    f"the code list {ref.urn} is referenced without a version; the shipped "
                    f"version {shipped.version} is used.",
                    data.ref,
                    ref.line,
                )
            choices = copy.deepcopy(list(shipped.choices))
            return kind, {"choices": choices}, f"{ref.urn} {shipped.version}"
        why = (
            f"only version {shipped.version} is shipped"
            if shipped is not None
            else "the portal does not ship this list"
        )
        self._note(
            "code_list_unknown",
            f"the code list {ref.urn} (version {ref.version or '?'}) is unknown: {why}. "
            "The field is imported as text; add the choices in the designer.",
            data.ref,
            ref.line,
        )
        return "text", {}, ""

    def _file_rules(self, data: DataField) -> dict[str, Any]:
        rules: dict[str, Any] = {}
        if data.media_types:
            accept = [m for m in data.media_types if m in ENGINE_UPLOAD_TYPES]
            dropped = [m for m in data.media_types if m not in ENGINE_UPLOAD_TYPES]
            if dropped:
                self._note(
                    "media_types_dropped",
                    f"the portal accepts no {', '.join(dropped)} uploads; "
                    + ("left out." if accept else "the portal's usual types are allowed."),
                    data.ref,
                    data.line,
                )
            if accept:
                rules["accept"] = accept
        if data.max_size:
            megabytes = max(1, math.ceil(data.max_size / (1024 * 1024)))
            rules["max_size_mb"] = megabytes
            if megabytes * 1024 * 1024 != data.max_size:
                self._note(
                    "max_size_rounded",
                    f"maxSize {data.max_size} bytes is rounded up to {megabytes} MB.",
                    data.ref,
                    data.line,
                )
        return rules

    # --- constraints (praezisierung) ---------------------------------------------------

    def constraints(self, data: DataField, kind: str) -> dict[str, Any]:
        if data.constraints_problem:
            self._note("constraints_unreadable", data.constraints_problem, data.ref, data.line)
        given = dict(data.constraints)
        out: dict[str, Any] = {}
        if kind in ("text", "textarea"):
            for fim_key, key in (("minLength", "min_length"), ("maxLength", "max_length")):
                if fim_key in given:
                    number = _int(given.pop(fim_key))
                    if number is None or number < 0:
                        self._dropped(data, fim_key, data.constraints[fim_key])
                    else:
                        out[key] = number
            if "pattern" in given:
                pattern = given.pop("pattern")
                try:
                    re.compile(pattern)
                    out["pattern"] = pattern
                except re.error:
                    self._note(
                        "pattern_dropped",
                        f"the pattern {pattern!r} is not a regular expression Python can use "
                        "(XSD-only syntax such as \\p{…}); it is not imported.",
                        data.ref,
                        data.line,
                    )
        elif kind in ("integer", "decimal"):
            for fim_key, key in (("minValue", "min"), ("maxValue", "max")):
                if fim_key in given:
                    number = _number(given.pop(fim_key), integer=kind == "integer")
                    if number is None:
                        self._dropped(data, fim_key, data.constraints[fim_key])
                    else:
                        out[key] = number
        for low, high in (("min_length", "max_length"), ("min", "max")):
            if low in out and high in out and out[low] > out[high]:
                self._note(
                    "constraints_contradict",
                    f"{low} {out[low]} is greater than {high} {out[high]}; neither is imported.",
                    data.ref,
                    data.line,
                )
                del out[low], out[high]
        for fim_key, value in given.items():
            self._dropped(data, fim_key, value)
        return out

    def _dropped(self, data: DataField, fim_key: str, value: str) -> None:
        self._note(
            "constraint_dropped",
            f"the constraint {fim_key}={value!r} does not apply to this field type "
            "or is not a number; it is not imported.",
            data.ref,
            data.line,
        )


def _int(text: str) -> int | None:
    return int(text) if _INT.match(text.strip()) else None


def _number(text: str, *, integer: bool) -> int | float | None:
    if integer:
        return _int(text)
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return int(value) if value == value.to_integral_value() else float(value)
