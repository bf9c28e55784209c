"""XDatenfelder 2.0 and 3.0.0 Stammdatenschema messages → `model.Schema`.

Both versions nest the whole schema inline (`struktur/enthaelt/datenfeldgruppe|datenfeld`);
they differ in a few places, handled here:

| what | 2.0 | 3.0.0 |
| --- | --- | --- |
| schema label | `bezeichnungEingabe` | `bezeichnung` |
| constraints | `praezisierung` holds JSON text | `praezisierung` attributes |
| code list | `codelisteReferenz/genericodeIdentification/canonicalIdentification` | `codelisteReferenz/canonicalIdentification` |
| inline values | – | `werte/wert` (`code`, `name`, `hilfe`) |
| rule text | `definition`, script in `script` | `freitextRegel`, script in `skript` |
"""

from __future__ import annotations

import json

from lxml import etree

from catalog.fim.model import (
    Child,
    CodeListRef,
    DataField,
    FimImportError,
    Group,
    Multiplicity,
    Rule,
    Schema,
    Value,
)
from catalog.fim.xml import NAMESPACES, Reader

FELDARTEN = {
    "2.0": ("input", "select", "label"),
    "3.0.0": ("input", "select", "label", "hidden", "locked"),
}
DATENTYPEN = {
    "2.0": ("text", "date", "bool", "num", "num_int", "num_currency", "file", "obj"),
    "3.0.0": (
        "text",
        "text_latin",
        "date",
        "time",
        "datetime",
        "bool",
        "num",
        "num_int",
        "num_currency",
        "file",
        "obj",
    ),
}
CONSTRAINT_KEYS = ("minLength", "maxLength", "minValue", "maxValue", "pattern")


def read_schema(root: etree._Element, standard: str) -> Schema:
    namespace = next(ns for ns, version in NAMESPACES.items() if version == standard)
    return _SchemaReader(Reader(namespace), standard).schema(root)


class _SchemaReader:
    def __init__(self, xml: Reader, standard: str) -> None:
        self.xml = xml
        self.standard = standard
        self.v3 = standard == "3.0.0"

    # --- schema, structure -------------------------------------------------------------

    def schema(self, root: etree._Element) -> Schema:
        element = self.xml.child(root, "stammdatenschema")
        if element is None:
            raise FimImportError(
                "the message contains no <stammdatenschema>.",
                line=root.sourceline,
                element=f"<{etree.QName(root).localname}>",
            )
        schema_id, version = self._identification(element, "stammdatenschema")
        name = self.xml.text(element, "name")
        label = self.xml.text(element, "bezeichnung" if self.v3 else "bezeichnungEingabe")
        legal = [
            " ".join("".join(b.itertext()).split()) for b in self.xml.children(element, "bezug")
        ]
        children = [self._structure(s, schema_id) for s in self.xml.children(element, "struktur")]
        if not children:
            raise FimImportError(
                "the schema contains no data fields or groups (no <struktur>).",
                line=element.sourceline,
                element=f"<stammdatenschema> {schema_id}",
            )
        return Schema(
            standard=self.standard,
            id=schema_id,
            version=version,
            name=name or schema_id,
            label=label or name or schema_id,
            help=self.xml.long_text(element, "hilfetext"),
            legal_basis="; ".join(text for text in legal if text),
            children=children,
            rules=self._rules(element),
            line=element.sourceline,
        )

    def _structure(self, element: etree._Element, parent: str) -> Child:
        where = f"<struktur> in {parent}"
        anzahl = self.xml.child(element, "anzahl")
        if anzahl is None:
            raise FimImportError(
                "the multiplicity (anzahl) is missing.", line=element.sourceline, element=where
            )
        multiplicity = Multiplicity.parse(anzahl.text or "", line=anzahl.sourceline, element=where)
        contains = self.xml.child(element, "enthaelt")
        inner = [
            sub
            for sub in (contains if contains is not None else [])
            if isinstance(sub.tag, str)
            and etree.QName(sub).localname in ("datenfeld", "datenfeldgruppe")
        ]
        if len(inner) != 1:
            raise FimImportError(
                "<enthaelt> must hold exactly one <datenfeld> or <datenfeldgruppe>.",
                line=(contains if contains is not None else element).sourceline,
                element=where,
            )
        sub = inner[0]
        if etree.QName(sub).localname == "datenfeld":
            return Child(self._field(sub), multiplicity)
        return Child(self._group(sub), multiplicity)

    def _group(self, element: etree._Element) -> Group:
        group_id, version = self._identification(element, "datenfeldgruppe")
        name = self.xml.text(element, "name")
        return Group(
            id=group_id,
            version=version,
            name=name or group_id,
            label=self.xml.text(element, "bezeichnungEingabe") or name or group_id,
            help=self.xml.long_text(element, "hilfetextEingabe"),
            art=self.xml.code(element, "art") if self.v3 else "",
            children=[self._structure(s, group_id) for s in self.xml.children(element, "struktur")],
            rules=self._rules(element),
            line=element.sourceline,
        )

    # --- data fields -------------------------------------------------------------------

    def _field(self, element: etree._Element) -> DataField:
        field_id, version = self._identification(element, "datenfeld")
        where = f"<datenfeld> {field_id}"
        feldart = self._coded(element, "feldart", FELDARTEN[self.standard], where)
        datentyp = self._coded(element, "datentyp", DATENTYPEN[self.standard], where)
        constraints, problem = self._constraints(element)
        name = self.xml.text(element, "name")
        return DataField(
            id=field_id,
            version=version,
            name=name or field_id,
            label=self.xml.text(element, "bezeichnungEingabe") or name or field_id,
            help=self.xml.long_text(element, "hilfetextEingabe"),
            feldart=feldart,
            datentyp=datentyp,
            constraints=constraints,
            constraints_problem=problem,
            content=self.xml.long_text(element, "inhalt"),
            code_list=self._code_list(element, where),
            values=self._values(element, where),
            media_types=[
                " ".join("".join(m.itertext()).split())
                for m in self.xml.children(element, "mediaType")
            ],
            max_size=self._max_size(element, where),
            rules=self._rules(element),
            line=element.sourceline,
        )

    def _coded(
        self, element: etree._Element, local: str, allowed: tuple[str, ...], where: str
    ) -> str:
        value = self.xml.code(element, local)
        if not value:
            raise FimImportError(
                f"<{local}> is missing or empty.", line=element.sourceline, element=where
            )
        if value not in allowed:
            found = self.xml.child(element, local)
            raise FimImportError(
                f"unknown {local} {value!r}; XDatenfelder {self.standard} allows "
                f"{', '.join(allowed)}.",
                line=found.sourceline if found is not None else element.sourceline,
                element=where,
            )
        return value

    def _constraints(self, element: etree._Element) -> tuple[dict[str, str], str]:
        found = self.xml.child(element, "praezisierung")
        if found is None:
            return {}, ""
        if self.v3:
            return {k: found.get(k).strip() for k in CONSTRAINT_KEYS if found.get(k)}, ""
        raw = (found.text or "").strip()
        if not raw:
            return {}, ""
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError:
            return {}, f"the constraints (praezisierung) are not valid JSON: {raw!r}"
        if not isinstance(parsed, dict):
            return {}, f"the constraints (praezisierung) are not a JSON object: {raw!r}"
        return {
            str(k): str(v).strip() for k, v in parsed.items() if v is not None and str(v).strip()
        }, ""

    def _code_list(self, element: etree._Element, where: str) -> CodeListRef | None:
        found = self.xml.child(element, "codelisteReferenz")
        if found is None:
            return None
        holder = found if self.v3 else self.xml.child(found, "genericodeIdentification")
        urn = self.xml.text(holder, "canonicalIdentification") if holder is not None else ""
        version = self.xml.text(holder, "version") if holder is not None else ""
        if not urn:
            raise FimImportError(
                "<codelisteReferenz> names no code list (canonicalIdentification is missing).",
                line=found.sourceline,
                element=where,
            )
        return CodeListRef(urn=urn, version=version, line=found.sourceline)

    def _values(self, element: etree._Element, where: str) -> list[Value]:
        werte = self.xml.child(element, "werte") if self.v3 else None
        if werte is None:
            return []
        values = []
        for wert in self.xml.children(werte, "wert"):
            code = self.xml.text(wert, "code")
            if not code:
                raise FimImportError("a <wert> has no <code>.", line=wert.sourceline, element=where)
            values.append(
                Value(
                    code=code,
                    label=self.xml.text(wert, "name") or code,
                    help=self.xml.long_text(wert, "hilfe"),
                )
            )
        return values

    def _max_size(self, element: etree._Element, where: str) -> int | None:
        text = self.xml.text(element, "maxSize")
        if not text:
            return None
        if not text.isdigit():
            raise FimImportError(
                f"maxSize {text!r} is not a number of bytes.",
                line=element.sourceline,
                element=where,
            )
        return int(text)

    # --- rules, identification ---------------------------------------------------------

    def _rules(self, element: etree._Element) -> list[Rule]:
        rules = []
        for regel in self.xml.children(element, "regel"):
            rule_id, version = self._identification(regel, "regel")
            text = self.xml.long_text(regel, "freitextRegel" if self.v3 else "definition")
            rules.append(
                Rule(
                    id=rule_id,
                    version=version,
                    name=self.xml.text(regel, "name"),
                    text=text or self.xml.long_text(regel, "beschreibung"),
                    script=(
                        "".join(s.itertext()).strip()
                        if (s := self.xml.child(regel, "skript" if self.v3 else "script"))
                        is not None
                        else ""
                    ),
                    kind=self.xml.code(regel, "typ") if self.v3 else "",
                    line=regel.sourceline,
                )
            )
        return rules

    def _identification(self, element: etree._Element, what: str) -> tuple[str, str]:
        ident = self.xml.child(element, "identifikation")
        element_id = self.xml.text(ident, "id") if ident is not None else ""
        if not element_id:
            raise FimImportError(
                "<identifikation><id> is missing.",
                line=(ident if ident is not None else element).sourceline,
                element=f"<{what}>",
            )
        return element_id, self.xml.text(ident, "version")
