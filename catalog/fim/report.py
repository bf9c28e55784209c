"""What an import did, for the import page, the command's output and the tests.

Every note carries a stable `code` (listed in docs/fim.md) so that the import page can show
it in the reader's language; `message` is the English sentence for logs and the command.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Note:
    code: str
    message: str
    element: str = ""  # the FIM id (and name) it concerns
    line: int | None = None


@dataclass(frozen=True)
class FieldReport:
    """One imported field: where it came from and what it became."""

    name: str
    fim_id: str
    fim_version: str
    label: str
    fim_type: str  # "<feldart>/<datentyp>", e.g. "select/text"
    multiplicity: str  # as in the schema at this place, e.g. "0:1"
    type: str  # the form engine's type
    required: bool
    step: str  # the German step title
    choices_from: str  # "inline", "<urn> <version>" or ""


@dataclass(frozen=True)
class SkippedElement:
    """A data field that did not become a form field, and why."""

    fim_id: str
    label: str
    fim_type: str
    reason: str


@dataclass(frozen=True)
class CodeListReport:
    urn: str
    version: str  # as referenced ("" when the schema names none)
    resolved: bool
    shipped_version: str  # the version the portal ships ("" when it ships none)
    fields: tuple[str, ...]  # field names using it


@dataclass(frozen=True)
class RuleReport:
    id: str
    version: str
    name: str
    text: str
    script: str
    converted: bool
    targets: tuple[str, ...] = ()  # field names, or "step:<n>" for a whole step (1-based)
    visible_if: dict[str, Any] | None = None
    reason: str = ""  # why it was not converted


@dataclass
class FimReport:
    standard: str  # "2.0" or "3.0.0"
    schema_id: str
    schema_version: str
    schema_name: str
    legal_basis: str = ""
    fields: list[FieldReport] = field(default_factory=list)
    skipped: list[SkippedElement] = field(default_factory=list)
    code_lists: list[CodeListReport] = field(default_factory=list)
    rules: list[RuleReport] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)  # texts that need an English version
    notes: list[Note] = field(default_factory=list)

    @property
    def rules_converted(self) -> list[RuleReport]:
        return [r for r in self.rules if r.converted]

    @property
    def rules_not_converted(self) -> list[RuleReport]:
        return [r for r in self.rules if not r.converted]

    @property
    def code_lists_unknown(self) -> list[CodeListReport]:
        return [c for c in self.code_lists if not c.resolved]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FimResult:
    """A service definition in services.json format (with the engine extensions listed in
    docs/fim.md) and the report of what was and was not imported."""

    definition: dict[str, Any]
    report: FimReport
