"""Conditional questions: the one evaluator of `visible_if` (docs/architecture.md, The form
engine). The citizen's pages, the API, check-your-answers, the clerk's view and the PDFs all
ask this module which steps and fields apply to a set of answers.

A field or a step may carry `visible_if`, one of

    {"field": "<name>", "equals": <value>}
    {"field": "<name>", "in": [<value>, ...]}
    {"all": [<condition>, ...]}
    {"any": [<condition>, ...]}

Values are written as the engine stores answers (a choice's value, true/false, a whole
number, a decimal as a string "12.5", an ISO date). A condition may only ask a field that
comes before it (for a step: a field of an earlier step) and is no file field. A field asked
by a condition counts only while it is itself shown, so hiding a question hides what depends
on it. A hidden field is never required, and its answer is dropped."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from catalog.forms.fields import Field, steps_of
from core.i18n import translated

Condition = dict[str, Any]
#: Conditions nest at most this deep (all/any inside all/any); deeper is a mistake.
MAX_DEPTH = 4


@dataclass(frozen=True)
class ShownStep:
    """One step that applies to the answers, with the fields of it that apply (1-based
    `number` in the whole form, hidden steps counted)."""

    number: int
    spec: dict[str, Any]
    fields: list[Field]

    @property
    def title(self) -> str:
        return translated(self.spec.get("title"))


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected
    if isinstance(actual, int | str) and isinstance(expected, int | float | str):
        try:
            return Decimal(str(actual)) == Decimal(str(expected))
        except InvalidOperation:
            pass
    return actual == expected


def _matches(actual: Any, expected: Any) -> bool:
    if isinstance(actual, list):  # a multichoice: one of its ticks
        return any(_same(a, expected) for a in actual)
    return _same(actual, expected)


def holds(condition: Condition, answers: dict[str, Any]) -> bool:
    """Whether `condition` holds for `answers` (cleaned values of the fields shown so far;
    a field that is not in `answers` has no answer and matches nothing)."""
    if "all" in condition:
        return all(holds(c, answers) for c in condition["all"])
    if "any" in condition:
        return any(holds(c, answers) for c in condition["any"])
    name = condition.get("field")
    if name not in answers:
        return False
    if "equals" in condition:
        return _matches(answers[name], condition["equals"])
    return any(_matches(answers[name], v) for v in condition.get("in", []))


def referenced(condition: Condition) -> set[str]:
    """The names of the fields a condition asks."""
    if "all" in condition or "any" in condition:
        return {n for c in condition.get("all", condition.get("any", [])) for n in referenced(c)}
    return {condition["field"]} if isinstance(condition.get("field"), str) else set()


def _clean_or_none(field: Field, raw: Any) -> Any:
    if raw is None or raw == "" or raw == []:
        return None
    try:
        return field.kind.clean(field, raw)
    except ValidationError:
        return None


def shown_steps(form: dict[str, Any], values: dict[str, Any]) -> list[ShownStep]:
    """The steps and fields that apply to `values` (stored answers or raw ones from a page
    or the API: each is read as its field would clean it), in the form's order."""
    answers: dict[str, Any] = {}
    shown: list[ShownStep] = []
    for number, step in enumerate(steps_of(form), start=1):
        if step.get("visible_if") and not holds(step["visible_if"], answers):
            continue
        fields = []
        for spec in step.get("fields", []):
            field = Field(spec)
            if spec.get("visible_if") and not holds(spec["visible_if"], answers):
                continue
            fields.append(field)
            if not field.kind.is_file:
                value = _clean_or_none(field, values.get(field.name))
                if value is not None:
                    answers[field.name] = value
        shown.append(ShownStep(number=number, spec=step, fields=fields))
    return shown


def shown_fields(form: dict[str, Any], values: dict[str, Any]) -> list[Field]:
    """Every field that applies to `values`, in the form's order."""
    return [f for step in shown_steps(form, values) for f in step.fields]


def hidden_names(form: dict[str, Any], values: dict[str, Any]) -> set[str]:
    """The names of the fields that do not apply to `values` (their answers are dropped)."""
    shown = {f.name for f in shown_fields(form, values)}
    return {
        spec["name"]
        for step in steps_of(form)
        for spec in step.get("fields", [])
        if spec.get("name") not in shown
    }


def without_hidden(form: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """`values` without the answers to questions that do not apply."""
    hidden = hidden_names(form, values)
    return {k: v for k, v in values.items() if k not in hidden}


def condition_errors(
    condition: Any, earlier: dict[str, Field], label: str, depth: int = 0
) -> list[str]:
    """What is wrong with one `visible_if` (readable sentences). `earlier` are the fields a
    condition at this place may ask (those before it)."""
    if not isinstance(condition, dict) or not condition:
        return [f"{label}: visible_if must be an object."]
    if depth > MAX_DEPTH:
        return [f"{label}: visible_if nests too deep."]
    for group in ("all", "any"):
        if group in condition:
            parts = condition[group]
            if set(condition) != {group} or not isinstance(parts, list) or not parts:
                return [f"{label}: visible_if {group!r} needs a non-empty list and nothing else."]
            return [p for c in parts for p in condition_errors(c, earlier, label, depth + 1)]
    keys = set(condition)
    if keys not in ({"field", "equals"}, {"field", "in"}):
        return [
            f"{label}: visible_if needs field with equals or in, or all/any "
            f"(found {', '.join(sorted(map(str, keys)))})."
        ]
    name = condition["field"]
    field = earlier.get(name) if isinstance(name, str) else None
    if field is None:
        return [f"{label}: visible_if asks {name!r}, which is no field before it."]
    if field.kind.is_file:
        return [f"{label}: visible_if cannot ask the file field {name!r}."]
    expected = [condition["equals"]] if "equals" in condition else condition["in"]
    if not isinstance(expected, list) or not expected:
        return [f"{label}: visible_if 'in' needs a non-empty list."]
    problems = []
    for value in expected:
        if field.type == "multichoice":
            ok = value in [v for v, _label in field.choices]
        else:
            ok = _clean_or_none(field, value) is not None and _same(
                _clean_or_none(field, value), value
            )
        if not ok:
            problems.append(f"{label}: visible_if value {value!r} is no answer {name!r} can have.")
    return problems


def describe(condition: Condition, fields: dict[str, Field]) -> str:
    """The condition as a sentence part for people ("„Hund“ is „Ja“"), in the active
    language: shown beside a conditional question when the page runs without JavaScript."""
    if "all" in condition:
        return _(" and ").join(describe(c, fields) for c in condition["all"])
    if "any" in condition:
        return _(" or ").join(describe(c, fields) for c in condition["any"])
    field = fields.get(condition.get("field", ""))
    if field is None:
        return ""
    expected = [condition["equals"]] if "equals" in condition else condition.get("in", [])
    multi = field.type == "multichoice"
    shown = _(" or ").join(f"„{field.display([v] if multi else v)}“" for v in expected)
    return _("„%(question)s“ is answered %(answers)s") % {"question": field.label, "answers": shown}
