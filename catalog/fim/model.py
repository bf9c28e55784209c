"""What an XDatenfelder schema says, independent of the standard's version.

The readers (`reader.py`) turn a 2.0 or 3.0.0 message into these plain objects; the
converter (`convert.py`) turns them into a service definition. Nothing here knows XML or
the form engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class FimImportError(ValueError):
    """The file cannot be imported; nothing was produced. The message says what and where."""

    def __init__(self, message: str, *, line: int | None = None, element: str = "") -> None:
        self.message = message
        self.line = line
        self.element = element
        where = ", ".join(part for part in (f"line {line}" if line else "", element) if part)
        super().__init__(f"{where}: {message}" if where else message)


_MULTIPLICITY_RE = re.compile(r"^\s*(\d+)\s*:\s*(\d+|\*|n)\s*$")


@dataclass(frozen=True)
class Multiplicity:
    """`anzahl` ("1:1", "0:1", "0:n", "1:*"): how often an element occurs."""

    low: int
    high: int | None  # None: unbounded

    @classmethod
    def parse(cls, text: str, *, line: int | None, element: str) -> Multiplicity:
        match = _MULTIPLICITY_RE.match(text or "")
        if not match:
            raise FimImportError(
                f"the multiplicity (anzahl) {text!r} is not of the form min:max, "
                'e.g. "1:1", "0:1" or "0:n".',
                line=line,
                element=element,
            )
        low = int(match.group(1))
        high = None if match.group(2) in ("*", "n") else int(match.group(2))
        if high is not None and (high < low or high == 0):
            raise FimImportError(
                f"the multiplicity (anzahl) {text!r} allows no occurrence or has max < min.",
                line=line,
                element=element,
            )
        return cls(low, high)

    @property
    def required(self) -> bool:
        return self.low >= 1

    @property
    def repeats(self) -> bool:
        return self.high is None or self.high > 1

    def __str__(self) -> str:
        return f"{self.low}:{'n' if self.high is None else self.high}"


@dataclass(frozen=True)
class Rule:
    """A `regel`: free text (2.0 `definition`, 3.0.0 `freitextRegel`) and/or a script."""

    id: str
    version: str
    name: str
    text: str
    script: str
    kind: str  # 3.0.0 `typ` code (K, M, V, B); empty in 2.0
    line: int | None


@dataclass(frozen=True)
class CodeListRef:
    """A `codelisteReferenz`: the list's canonical URN and (usually) its version."""

    urn: str
    version: str
    line: int | None


@dataclass(frozen=True)
class Value:
    """One inline `wert` of a 3.0.0 select field."""

    code: str
    label: str
    help: str


@dataclass
class Element:
    """What data fields and groups share."""

    id: str
    version: str
    name: str  # the FIM name (internal; also the base of the form field's name)
    label: str  # `bezeichnungEingabe`, else the name
    help: str  # `hilfetextEingabe`

    @property
    def ref(self) -> str:
        """How the report names it: `F60000227 'Familienname'`."""
        return f"{self.id} {self.name!r}"


@dataclass
class DataField(Element):
    feldart: str  # input, select, label, hidden, locked
    # text, text_latin, date, time, datetime, bool, num, num_int, num_currency, file, obj
    datentyp: str
    constraints: dict[str, str]  # minLength, maxLength, minValue, maxValue, pattern (as written)
    constraints_problem: str  # why `praezisierung` could not be read, empty when fine
    content: str  # `inhalt`: the text of a label field, a default otherwise
    code_list: CodeListRef | None
    values: list[Value]
    media_types: list[str]
    max_size: int | None  # bytes (3.0.0 `maxSize`)
    rules: list[Rule]
    line: int | None


@dataclass
class Group(Element):
    art: str  # 3.0.0 `art` code (X: choose one of the children); empty otherwise
    children: list[Child]
    rules: list[Rule]
    line: int | None


@dataclass
class Child:
    """One `struktur`: an element and how often it occurs at this place."""

    element: DataField | Group
    multiplicity: Multiplicity


@dataclass
class Schema:
    standard: str  # "2.0" or "3.0.0"
    id: str
    version: str
    name: str
    label: str
    help: str
    legal_basis: str
    children: list[Child]
    rules: list[Rule]
    line: int | None = None
