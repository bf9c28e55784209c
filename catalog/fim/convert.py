"""`model.Schema` → a service definition in services.json format, plus the report.

Top-level groups become steps; nested groups are flattened into their step, their label
becoming a `heading` on the group's first field; data fields become fields of the form
engine's twelve types. Everything that has no equivalent is reported (report.py), never
silently dropped. Rules are applied afterwards (conditions.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from catalog.fim.fields import FieldMapper
from catalog.fim.model import Child, DataField, FimImportError, Group, Multiplicity, Schema
from catalog.fim.report import CodeListReport, FieldReport, FimReport, Note, SkippedElement

_NAME_SAFE = re.compile(r"[^a-z0-9]+")


@dataclass
class Produced:
    """A field the converter made, with what the rules need to find it again."""

    spec: dict[str, Any]
    fim_id: str
    path: tuple[str, ...]  # ids of the enclosing groups, outermost first
    step: dict[str, Any]
    order: int
    # Whether each enclosing group (same order as `path`) and the field itself are 1:… here.
    group_required: tuple[bool, ...]
    own_required: bool
    ref: str  # "F… 'Name'", as in the report's notes


@dataclass
class FormState:
    steps: list[dict[str, Any]] = field(default_factory=list)
    produced: list[Produced] = field(default_factory=list)
    group_paths: dict[tuple[str, ...], dict[str, Any]] = field(default_factory=dict)  # → step
    skipped_ids: dict[str, str] = field(default_factory=dict)  # FIM id → reason
    step_groups: dict[int, tuple[str, ...]] = field(default_factory=dict)  # id(step) → path


class Converter:
    def __init__(self, schema: Schema, key: str) -> None:
        self.schema = schema
        self.key = key
        self.form = FormState()
        self.report = FimReport(
            standard=schema.standard,
            schema_id=schema.id,
            schema_version=schema.version,
            schema_name=schema.label,
            legal_basis=schema.legal_basis,
        )
        self._names: set[str] = set()
        self._mapper = FieldMapper(self._note, self._untranslated)
        self._heading: str = ""
        self._notice: list[str] = []
        self._loose_step: dict[str, Any] | None = None
        self._step_refs: dict[int, str] = {}  # id(step) → the group's ref

    # --- the walk ----------------------------------------------------------------------

    def definition(self) -> dict[str, Any]:
        for child in self.schema.children:
            if isinstance(child.element, Group):
                self._loose_step = None
                self._group_step(child)
            else:
                if self._loose_step is None:
                    self._loose_step = self._new_step(self.schema.label, "", ())
                self._field(child, (), self._loose_step, ())
        self._flush()
        self._drop_empty_steps()
        if not self.form.steps:
            raise FimImportError(
                "the schema has no data field that can become a form field.",
                line=self.schema.line,
                element=f"<stammdatenschema> {self.schema.id}",
            )
        self._report_code_lists()
        self._untranslated("service name")
        if self.schema.help:
            self._untranslated("service description")
        return {
            "key": self.key,
            "leika": None,
            "name": {"de": self.schema.label, "en": ""},
            "description": {"de": self.schema.help, "en": ""},
            "offered_by": "towns",
            "fee": {"kind": "free"},
            "prepay": False,
            "process_steps": [],
            "form": {"steps": self.form.steps},
        }

    def _drop_empty_steps(self) -> None:
        for step in [s for s in self.form.steps if not s["fields"]]:
            self.form.steps.remove(step)
            title = step["title"]["de"]
            self.report.untranslated[:] = [
                u for u in self.report.untranslated if not u.startswith(f"step {title!r}:")
            ]
            self._note(
                "empty_group",
                "the group has no field that can become a form field"
                + ("; its hint text is not imported." if "notice" in step else "."),
                self._step_refs.get(id(step), self.schema.id),
            )

    def _new_step(self, title: str, help_text: str, path: tuple[str, ...]) -> dict[str, Any]:
        self._flush()
        step: dict[str, Any] = {"title": {"de": title, "en": ""}, "fields": []}
        self.form.steps.append(step)
        self.form.step_groups[id(step)] = path
        self._untranslated(f"step {title!r}: title")
        if help_text:
            self._notice.append(help_text)
        return step

    def _flush(self) -> None:
        """Hint texts left at the end of a step (no field after them) go onto the step."""
        self._heading = ""
        if self._notice and self.form.steps:
            step = self.form.steps[-1]
            step["notice"] = {"de": "\n\n".join(self._notice), "en": ""}
            self._untranslated(f"step {step['title']['de']!r}: hint text")
        self._notice = []

    def _group_step(self, child: Child) -> None:
        group = child.element
        assert isinstance(group, Group)
        self._group_notes(group, child.multiplicity)
        path = (group.id,)
        step = self._new_step(group.label, group.help, path)
        self._step_refs[id(step)] = group.ref
        self.form.group_paths[path] = step
        self._walk(group, path, step, (child.multiplicity.required,))

    def _walk(
        self,
        group: Group,
        path: tuple[str, ...],
        step: dict[str, Any],
        group_required: tuple[bool, ...],
    ) -> None:
        after_subgroup = False
        for child in group.children:
            element = child.element
            if isinstance(element, Group):
                self._group_notes(element, child.multiplicity)
                sub_path = (*path, element.id)
                self.form.group_paths[sub_path] = step
                pending = self._heading
                # A group opening a group: "Anschrift › Straßenanschrift".
                self._heading = f"{pending} › {element.label}" if pending else element.label
                if element.help:
                    self._notice.append(element.help)
                before = len(step["fields"])
                self._walk(element, sub_path, step, (*group_required, child.multiplicity.required))
                produced = len(step["fields"]) > before
                # A heading still pending from inside the group belongs to nothing now.
                self._heading = "" if produced else pending
                if not produced:
                    self._note(
                        "empty_group",
                        "the group has no field that can become a form field.",
                        element.ref,
                        element.line,
                    )
                after_subgroup = after_subgroup or produced
            else:
                if after_subgroup and not self._heading:
                    # Back in the enclosing group after a nested one: say so.
                    self._heading = group.label
                after_subgroup = False
                self._field(child, path, step, group_required)

    def _group_notes(self, group: Group, multiplicity: Multiplicity) -> None:
        ref = group.ref
        if not multiplicity.required:
            self._note(
                "group_optional",
                f"the group is optional ({multiplicity}); the form engine has no optional "
                "groups, so its fields are imported as optional.",
                ref,
                group.line,
            )
        if multiplicity.repeats:
            self._note(
                "group_repeats",
                f"the group may occur several times ({multiplicity}); the form asks for it once.",
                ref,
                group.line,
            )
        if group.art == "X":
            self._note(
                "choice_group",
                "the group asks for exactly one of its children (Auswahlgruppe); the form shows "
                "all of them, none required by this rule.",
                ref,
                group.line,
            )

    # --- one data field ----------------------------------------------------------------

    def _field(
        self,
        child: Child,
        path: tuple[str, ...],
        step: dict[str, Any],
        group_required: tuple[bool, ...],
    ) -> None:
        data = child.element
        assert isinstance(data, DataField)
        multiplicity = child.multiplicity
        fim_type = f"{data.feldart}/{data.datentyp}"
        if data.feldart == "label":
            self._notice.append(data.content or data.help or data.label)
            self._note(
                "hint_as_notice",
                "a hint (Feldart label) is shown as text before the next field.",
                data.ref,
                data.line,
            )
            return
        if data.feldart in ("hidden", "locked"):
            reason = (
                "hidden fields are filled by the system, not by the citizen"
                if data.feldart == "hidden"
                else "locked fields show a prefilled value the citizen cannot change"
            )
            self.form.skipped_ids[data.id] = reason
            self.report.skipped.append(SkippedElement(data.id, data.label, fim_type, reason))
            return
        name = self._name(data)
        kind, extra, choices_from = self._mapper.engine_type(data, multiplicity, name)
        own_required = multiplicity.required
        required = own_required and all(group_required)
        if kind == "boolean":
            required = False  # an unticked box is the answer "no"
        if own_required and not all(group_required) and kind != "boolean":
            self._note(
                "required_in_optional_group",
                "required in its group, but the group is optional: imported as optional.",
                data.ref,
                data.line,
            )
        spec: dict[str, Any] = {
            "name": name,
            "type": kind,
            "label": {"de": data.label, "en": ""},
            "required": required,
            **self._mapper.constraints(data, kind),
            **extra,
        }
        if data.help:
            spec["help"] = {"de": data.help, "en": ""}
            self._untranslated(f"field {name}: help")
        spec["fim_id"] = data.id
        self._untranslated(f"field {name}: label")
        if self._heading:
            spec["heading"] = {"de": self._heading, "en": ""}
            self._untranslated(f"field {name}: heading")
            self._heading = ""
        if self._notice:
            spec["notice"] = {"de": "\n\n".join(self._notice), "en": ""}
            self._untranslated(f"field {name}: hint text")
            self._notice = []
        if data.content:
            self._note(
                "default_dropped",
                f"the prefilled value (inhalt) {data.content!r} is not imported.",
                data.ref,
                data.line,
            )
        if multiplicity.repeats and kind not in ("multichoice", "file"):
            self._note(
                "field_repeats",
                f"the field may occur several times ({multiplicity}); the form asks once.",
                data.ref,
                data.line,
            )
        step["fields"].append(spec)
        self.form.produced.append(
            Produced(
                spec=spec,
                fim_id=data.id,
                path=path,
                step=step,
                order=len(self.form.produced),
                group_required=group_required,
                own_required=own_required,
                ref=data.ref,
            )
        )
        self.report.fields.append(
            FieldReport(
                name=name,
                fim_id=data.id,
                fim_version=data.version,
                label=data.label,
                fim_type=fim_type,
                multiplicity=str(multiplicity),
                type=kind,
                required=required,
                step=step["title"]["de"],
                choices_from=choices_from,
            )
        )

    # --- names, notes ------------------------------------------------------------------

    def _name(self, data: DataField) -> str:
        """`<slug of the FIM name>_<id>`, e.g. `familienname_f60000227`; `_2` … when the same
        data field occurs more than once."""
        fim_id = _NAME_SAFE.sub("", data.id.lower())
        slug = _slug(data.name)[:40].rstrip("_")
        base = f"{slug}_{fim_id}" if slug else fim_id
        if not base[:1].isalpha():
            base = f"f_{base}"
        base = base[:76]
        name, number = base, 1
        while name in self._names:
            number += 1
            name = f"{base}_{number}"
        if number > 1:
            self._note(
                "field_repeated",
                f"the data field occurs more than once in the schema; this one is named {name}.",
                data.ref,
                data.line,
            )
        self._names.add(name)
        return name

    def _note(self, code: str, message: str, element: str = "", line: int | None = None) -> None:
        self.report.notes.append(Note(code, message, element, line))

    def _untranslated(self, where: str) -> None:
        self.report.untranslated.append(where)

    def _report_code_lists(self) -> None:
        for (urn, version), entry in self._mapper.code_lists.items():
            self.report.code_lists.append(
                CodeListReport(
                    urn=urn,
                    version=version,
                    resolved=entry["resolved"],
                    shipped_version=entry["shipped"],
                    fields=tuple(entry["fields"]),
                )
            )


def _slug(text: str) -> str:
    text = text.lower()
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, plain)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NAME_SAFE.sub("_", text).strip("_")
