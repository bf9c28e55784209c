"""What a draft changes against the published version: details, steps and fields (added,
removed, changed, and which of their keys), for the designer's changes page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from catalog.forms.fields import steps_of
from catalog.models import ServiceDefinition
from catalog.services import service_export
from core.i18n import translated


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    step: str
    keys: tuple[str, ...] = ()  # the keys that differ (changed fields only)
    moved: bool = False


@dataclass
class Changes:
    details: list[str] = field(default_factory=list)
    steps_added: list[str] = field(default_factory=list)
    steps_removed: list[str] = field(default_factory=list)
    steps_changed: list[str] = field(default_factory=list)
    added: list[FieldChange] = field(default_factory=list)
    removed: list[FieldChange] = field(default_factory=list)
    changed: list[FieldChange] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return any(
            (
                self.details,
                self.steps_added,
                self.steps_removed,
                self.steps_changed,
                self.added,
                self.removed,
                self.changed,
            )
        )


def _fields(form: dict[str, Any]) -> dict[str, tuple[int, str, dict[str, Any]]]:
    found = {}
    position = 0
    for step in steps_of(form):
        for spec in step.get("fields", []):
            found[spec.get("name")] = (position, translated(step.get("title")), spec)
            position += 1
    return found


def _step_key(step: dict[str, Any]) -> str:
    return translated(step.get("title")) or "?"


def changes(draft: ServiceDefinition, published: ServiceDefinition | None) -> Changes:
    """The changes of `draft` against `published` (everything is new without one)."""
    result = Changes()
    new_form = draft.form or {}
    old_form = published.form if published else {}
    if published is not None:  # every key of services.json but the form (below)
        new, old = service_export(draft), service_export(published)
        keys = [k for k in new if k not in ("key", "version", "form")]
        result.details = [k for k in keys if new.get(k) != old.get(k)]
    old_steps = {_step_key(s): s for s in steps_of(old_form)}
    new_steps = {_step_key(s): s for s in steps_of(new_form)}
    result.steps_added = [t for t in new_steps if t not in old_steps]
    result.steps_removed = [t for t in old_steps if t not in new_steps]
    for title, step in new_steps.items():
        old = old_steps.get(title)
        if old is not None and (
            old.get("title") != step.get("title")
            or old.get("visible_if") != step.get("visible_if")
            or old.get("notice") != step.get("notice")
        ):
            result.steps_changed.append(title)
    old_fields, new_fields = _fields(old_form), _fields(new_form)
    old_order = [n for n in old_fields if n in new_fields]
    new_order = [n for n in new_fields if n in old_fields]
    for name, (_pos, step, spec) in new_fields.items():
        label = translated(spec.get("label")) or str(name)
        if name not in old_fields:
            result.added.append(FieldChange(name=name, label=label, step=step))
            continue
        _old_pos, old_step, old_spec = old_fields[name]
        keys = tuple(sorted(k for k in set(spec) | set(old_spec) if spec.get(k) != old_spec.get(k)))
        moved = old_step != step or old_order.index(name) != new_order.index(name)
        if keys or moved:
            result.changed.append(
                FieldChange(name=name, label=label, step=step, keys=keys, moved=moved)
            )
    for name, (_pos, step, spec) in old_fields.items():
        if name not in new_fields:
            label = translated(spec.get("label")) or str(name)
            result.removed.append(FieldChange(name=name, label=label, step=step))
    return result
