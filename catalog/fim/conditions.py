"""Applying the schema's rules to the converted form as `visible_if` conditions.

A rule converts when its text has the form rules.py reads, every field it names was
imported exactly once (or once inside the group the rule belongs to), its values fit the
asked field (a choice's code, ja/nein for yes/no, a number for numbers), the asked field
comes before what it shows, and nothing it shows has a condition already. The condition's
values are those the form engine stores (`clean_value`): choice codes, true/false for a tick
box, whole numbers for integers, normalised decimal strings for decimals.
"""

from __future__ import annotations

import copy
import datetime
import re
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from catalog.fim.convert import Converter, Produced
from catalog.fim.model import Group, Rule, Schema
from catalog.fim.report import RuleReport
from catalog.fim.rules import Condition, NotConvertible, ParsedRule, parse_rule

_YES = ("ja", "true", "wahr", "1", "x", "ausgewählt")
_NO = ("nein", "false", "falsch", "0")


def apply_rules(converter: Converter) -> None:
    for rule, scope in _collect(converter.schema):
        converter.report.rules.append(_apply(converter, rule, scope))


def _collect(schema: Schema) -> list[tuple[Rule, tuple[str, ...]]]:
    """Every rule once (the same rule may hang on several elements), with the path of the
    group it belongs to, in document order."""
    found: dict[tuple[str, str], tuple[Rule, tuple[str, ...]]] = {}

    def visit(rules: list[Rule], scope: tuple[str, ...]) -> None:
        for rule in rules:
            found.setdefault((rule.id, rule.version), (rule, scope))

    def walk(children: list, scope: tuple[str, ...]) -> None:
        for child in children:
            element = child.element
            if isinstance(element, Group):
                inner = (*scope, element.id)
                visit(element.rules, inner)
                walk(element.children, inner)
            else:
                visit(element.rules, scope)

    visit(schema.rules, ())
    walk(schema.children, ())
    return list(found.values())


def _apply(converter: Converter, rule: Rule, scope: tuple[str, ...]) -> RuleReport:
    base = {
        "id": rule.id,
        "version": rule.version,
        "name": rule.name,
        "text": rule.text,
        "script": rule.script,
    }
    try:
        if not rule.text and rule.script:
            raise NotConvertible("the rule is only a script; scripts are not run or translated.")
        parsed = parse_rule(rule.text)
        condition, asked = _condition(converter, parsed, scope)
        targets, steps = _targets(converter, parsed, scope)
        _check_order(converter, asked, targets, steps)
    except NotConvertible as error:
        return RuleReport(**base, converted=False, reason=str(error))
    names: list[str] = []
    for produced, depth in targets:
        produced.spec["visible_if"] = copy.deepcopy(condition)
        names.append(produced.spec["name"])
        if parsed.required:
            _require(converter, produced, depth)
    all_steps = converter.form.steps
    for step in steps:
        step["visible_if"] = copy.deepcopy(condition)
        names.append(f"step:{all_steps.index(step) + 1}")
        if parsed.required:
            group = converter.form.step_groups[id(step)][0]
            _drop_notes(converter, "group_optional", f"{group} ")
            for produced in converter.form.produced:
                if produced.step is step:
                    _require(converter, produced, 1)
    return RuleReport(**base, converted=True, targets=tuple(names), visible_if=condition)


def _require(converter: Converter, produced: Produced, depth: int | None) -> None:
    """For "… und mache es zur Pflichtangabe": a field shown by the rule becomes required; the
    fields of a group shown by it follow their own multiplicity (and that of the groups below
    the shown one), whatever the shown group's own multiplicity said."""
    if produced.spec["type"] == "boolean":
        return
    if depth is None:
        produced.spec["required"] = True
    else:
        produced.spec["required"] = produced.own_required and all(produced.group_required[depth:])
    if produced.spec["required"]:
        _drop_notes(converter, "required_in_optional_group", produced.ref)
        converter.report.fields[produced.order] = replace(
            converter.report.fields[produced.order], required=True
        )


def _drop_notes(converter: Converter, code: str, element_prefix: str) -> None:
    """Notes the rule made untrue (e.g. "imported as optional")."""
    converter.report.notes[:] = [
        n
        for n in converter.report.notes
        if not (n.code == code and n.element.startswith(element_prefix))
    ]


# --- what is asked -------------------------------------------------------------------


def _condition(
    converter: Converter, parsed: ParsedRule, scope: tuple[str, ...]
) -> tuple[dict[str, Any], list[Produced]]:
    asked: list[Produced] = []
    by_field: dict[str, list[Any]] = {}
    for condition in parsed.conditions:
        if condition.ref.startswith("G"):
            raise NotConvertible(f"the condition asks about a group ({condition.ref}).")
        produced = _one(converter, condition.ref, scope)
        asked.append(produced)
        value = _value(produced, condition)
        by_field.setdefault(produced.spec["name"], []).append(value)
    parts = []
    for name, values in by_field.items():
        if len(values) > 1 and parsed.join == "all":
            raise NotConvertible(f"the condition wants two values of {name} at once.")
        parts.append(
            {"field": name, "equals": values[0]}
            if len(values) == 1
            else {"field": name, "in": values}
        )
    if len(parts) == 1:
        return parts[0], asked
    return {parsed.join: parts}, asked


def _value(produced: Produced, condition: Condition) -> Any:
    spec = produced.spec
    kind = spec["type"]
    raw = condition.value.strip()
    name = spec["name"]
    if kind == "choice":
        codes = [c["value"] for c in spec["choices"]]
        if raw in codes:
            return raw
        for candidate in (condition.value_label, raw):
            for choice in spec["choices"]:
                if candidate and choice["label"].get("de", "").casefold() == candidate.casefold():
                    return choice["value"]
        raise NotConvertible(f"{raw!r} is not one of the choices of {name}.")
    if kind == "boolean":
        if raw.casefold() in _YES:
            return True
        if raw.casefold() in _NO:
            return False
        raise NotConvertible(f"{raw!r} is not ja/nein for the tick box {name}.")
    if kind == "integer":
        if re.fullmatch(r"[+-]?\d+", raw):
            return int(raw)
        raise NotConvertible(f"{raw!r} is not a whole number for {name}.")
    if kind == "decimal":
        try:
            number = Decimal(raw.replace(",", "."))
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise NotConvertible(f"{raw!r} is not a number for {name}.")
        return format(number.normalize(), "f")
    if kind == "date":
        try:
            return datetime.date.fromisoformat(raw).isoformat()
        except ValueError:
            raise NotConvertible(f"{raw!r} is not a date (YYYY-MM-DD) for {name}.") from None
    if kind in ("text", "textarea"):
        return condition.value
    raise NotConvertible(f"a condition on a {kind} field ({name}) cannot be expressed.")


# --- what is shown -------------------------------------------------------------------


def _targets(
    converter: Converter, parsed: ParsedRule, scope: tuple[str, ...]
) -> tuple[list[tuple[Produced, int | None]], list[dict[str, Any]]]:
    """The fields shown (with the depth of the group that shows them, None for a field named
    itself) and the steps shown."""
    fields: list[tuple[Produced, int | None]] = []
    steps: list[dict[str, Any]] = []
    for ref in parsed.targets:
        if ref.startswith("F"):
            fields.append((_one(converter, ref, scope), None))
            continue
        path = _group_path(converter, ref, scope)
        step = converter.form.group_paths[path]
        if len(path) == 1 and step in converter.form.steps:
            steps.append(step)
        else:
            members = [p for p in converter.form.produced if p.path[: len(path)] == path]
            if not members:
                raise NotConvertible(f"the group {ref} has no imported field to show.")
            fields.extend((member, len(path)) for member in members)
    for produced, _depth in fields:
        if "visible_if" in produced.spec:
            raise NotConvertible(
                f"{produced.spec['name']} already has a condition from another rule; "
                "combining rules is left to the designer."
            )
    for step in steps:
        if "visible_if" in step:
            raise NotConvertible(
                f"the step {step['title']['de']!r} already has a condition from another rule."
            )
    return fields, steps


def _check_order(
    converter: Converter,
    asked: list[Produced],
    fields: list[tuple[Produced, int | None]],
    steps: list[dict[str, Any]],
) -> None:
    last_asked = max(p.order for p in asked)
    if any(p.order <= last_asked for p, _depth in fields):
        raise NotConvertible("the field asked about does not come before what it shows.")
    all_steps = converter.form.steps
    for step in steps:
        if any(all_steps.index(p.step) >= all_steps.index(step) for p in asked):
            raise NotConvertible("the field asked about is not on a step before the step it shows.")


# --- finding elements ----------------------------------------------------------------


def _one(converter: Converter, ref: str, scope: tuple[str, ...]) -> Produced:
    found = [p for p in converter.form.produced if p.fim_id == ref]
    if len(found) > 1:
        found = [p for p in found if p.path[: len(scope)] == scope] or found
    if len(found) == 1:
        return found[0]
    if found:
        raise NotConvertible(f"{ref} occurs {len(found)} times; the rule does not say which.")
    reason = converter.form.skipped_ids.get(ref)
    if reason:
        raise NotConvertible(f"{ref} was not imported ({reason}).")
    raise NotConvertible(f"{ref} is not a field of this form.")


def _group_path(converter: Converter, ref: str, scope: tuple[str, ...]) -> tuple[str, ...]:
    paths = [p for p in converter.form.group_paths if p[-1] == ref]
    if len(paths) > 1:
        paths = [p for p in paths if p[: len(scope)] == scope] or paths
    if len(paths) == 1:
        return paths[0]
    if paths:
        raise NotConvertible(f"{ref} occurs {len(paths)} times; the rule does not say which.")
    raise NotConvertible(f"{ref} is not a group of this form.")
