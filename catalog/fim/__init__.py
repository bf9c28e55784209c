"""FIM XDatenfelder import: a Stammdatenschema message (2.0 or 3.0.0) → a service definition.

A pure converter: bytes in, a definition in services.json format and a report out; no
database, no Django models. See docs/fim.md for the mapping and what is not imported.

    result = import_fim(Path("hundesteuer.xml").read_bytes(), key="hundesteuer-anmelden")
    result.definition  # {"key", "name", "form": {"steps": [...]}, ...}
    result.report      # FimReport: fields, skipped, code lists, rules, notes

Errors (malformed XML, wrong namespace, unknown version, missing parts) raise
FimImportError naming what and where; there is never a partial result.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from catalog.fim.conditions import apply_rules
from catalog.fim.convert import Converter
from catalog.fim.model import FimImportError
from catalog.fim.reader import read_schema
from catalog.fim.report import FimReport, FimResult
from catalog.fim.xml import parse

__all__ = [
    "ENGINE_EXTENSIONS",
    "FimImportError",
    "FimReport",
    "FimResult",
    "import_fim",
    "without_extensions",
]

#: Keys the definition may carry that today's form engine does not know yet (issue 16):
#: `visible_if` (fields and steps), `heading` (a nested group's label, shown before its first
#: field) and `notice` (hint text shown before a field, or at the end of a step).
ENGINE_EXTENSIONS = {"field": ("visible_if", "heading", "notice"), "step": ("visible_if", "notice")}

_KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def import_fim(data: bytes, *, key: str) -> FimResult:
    """Convert one XDatenfelder Stammdatenschema message; FimImportError if it cannot be."""
    if not isinstance(key, str) or not _KEY_RE.match(key) or len(key) > 80:
        raise FimImportError(
            f"the service key {key!r} must be lower-case letters and digits joined by "
            "single hyphens, at most 80 characters (e.g. hundesteuer-anmelden)."
        )
    root, standard = parse(data)
    schema = read_schema(root, standard)
    converter = Converter(schema, key)
    definition = converter.definition()
    apply_rules(converter)
    return FimResult(definition=definition, report=converter.report)


def without_extensions(definition: dict[str, Any]) -> dict[str, Any]:
    """A copy without the keys of ENGINE_EXTENSIONS: what today's form engine accepts.

    Without `visible_if` every question is always shown, so the fields a condition would
    hide become optional (else a citizen would have to answer what does not apply)."""
    plain = copy.deepcopy(definition)
    for step in plain["form"]["steps"]:
        conditional_step = "visible_if" in step
        for key in ENGINE_EXTENSIONS["step"]:
            step.pop(key, None)
        for spec in step["fields"]:
            if conditional_step or "visible_if" in spec:
                spec["required"] = False
            for key in ENGINE_EXTENSIONS["field"]:
                spec.pop(key, None)
    return plain
