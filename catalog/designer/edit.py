"""Changes to a draft's form, one at a time: steps and fields added, changed, moved and
deleted. The functions on forms are pure (a changed copy in, problems out); `draft_change`
writes a draft's new state with its audit entry. Only drafts change: a published version is
immutable (catalog/services.py)."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from catalog.forms.validation import schema_errors
from catalog.models import ServiceDefinition
from core.audit import audit_record
from core.errors import Conflict, NotFound
from core.models import AuditEntry

Form = dict[str, Any]


def empty_form() -> Form:
    return {"steps": []}


def _steps(form: Form) -> list[dict[str, Any]]:
    return form.setdefault("steps", [])


def _step(form: Form, index: int) -> dict[str, Any]:
    steps = _steps(form)
    if not 0 <= index < len(steps):
        raise NotFound("no such step")
    return steps[index]


def field_index(form: Form, index: int, name: str) -> int:
    for position, spec in enumerate(_step(form, index).get("fields", [])):
        if spec.get("name") == name:
            return position
    raise NotFound("no such field")


def step_put(form: Form, index: int | None, step: dict[str, Any]) -> Form:
    """A copy with step `index` replaced by `step` (its fields kept), or `step` added."""
    new = copy.deepcopy(form)
    if index is None:
        _steps(new).append({"fields": [], **step})
    else:
        fields = _step(new, index).get("fields", [])
        _steps(new)[index] = {**step, "fields": fields}
    return new


def step_move(form: Form, index: int, delta: int) -> Form:
    new = copy.deepcopy(form)
    steps = _steps(new)
    _step(new, index)
    target = index + delta
    if 0 <= target < len(steps):
        steps[index], steps[target] = steps[target], steps[index]
    return new


def step_delete(form: Form, index: int) -> Form:
    new = copy.deepcopy(form)
    _step(new, index)
    del _steps(new)[index]
    return new


def field_put(form: Form, index: int, name: str | None, spec: dict[str, Any]) -> Form:
    """A copy with field `name` of step `index` replaced by `spec`, or `spec` added."""
    new = copy.deepcopy(form)
    fields = _step(new, index).setdefault("fields", [])
    if name is None:
        fields.append(spec)
    else:
        fields[field_index(new, index, name)] = spec
    return new


def field_move(form: Form, index: int, name: str, delta: int) -> Form:
    """Up or down within the step; past its first or last field, into the step before or
    after (as its last or first field)."""
    new = copy.deepcopy(form)
    fields = _step(new, index)["fields"]
    position = field_index(new, index, name)
    target = position + delta
    if 0 <= target < len(fields):
        fields[position], fields[target] = fields[target], fields[position]
    elif 0 <= index + delta < len(_steps(new)):
        spec = fields.pop(position)
        neighbour = _steps(new)[index + delta].setdefault("fields", [])
        if delta < 0:
            neighbour.append(spec)
        else:
            neighbour.insert(0, spec)
    return new


def field_delete(form: Form, index: int, name: str) -> Form:
    new = copy.deepcopy(form)
    del _step(new, index)["fields"][field_index(new, index, name)]
    return new


def new_problems(before: Form, after: Form) -> list[str]:
    """What the change broke: problems of `after` that `before` did not have (a draft under
    construction may still be incomplete; a change must not make it worse)."""
    old = set(schema_errors(before)) if before.get("steps") else set()
    return [p for p in schema_errors(after) if p not in old] if after.get("steps") else []


def draft_change(
    *, draft: ServiceDefinition, actor: AbstractBaseUser | None, what: str, **values: Any
) -> ServiceDefinition:
    """Write new values of a draft (its form, its details) with an audit entry saying
    `what` changed. Conflict when it was published meanwhile."""
    with transaction.atomic():
        current = ServiceDefinition.objects.select_for_update().get(pk=draft.pk)
        if current.status != ServiceDefinition.Status.DRAFT:
            raise Conflict(f"{current.key} v{current.version} is published and cannot change.")
        for name, value in values.items():
            setattr(current, name, value)
        current.save(update_fields=list(values))
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CHANGE,
            obj=current,
            changes={"designer": what},
        )
    return current
