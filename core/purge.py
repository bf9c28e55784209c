"""What the retention purge and an erasure request erase: every app that keeps personal
data about a request says which fields hold it and how to erase them, in one registry, so a
purge reaches every table (docs/operations.md, Retention; docs/architecture.md, How to add).

Two declarations, kept apart on purpose so that one cannot silently stand in for the other:

* beside the model, which of its fields hold personal data:

      personal_data(StatementLine, "debtor_name", "debtor_iban", "debtor_bic", "remittance")

* in the app's `purge.py` (imported by its AppConfig.ready()), the hook that erases them,
  naming the models it erases:

      @purge_hook("payments", erases=[Payment, PaymentEvent, StatementLine, Refund])
      def purge_payments(case_ids: list[int], now: datetime) -> list[FieldFile]: ...

A hook takes the ids of the requests (cases) to purge and the time of the purge, erases
what its app keeps about them inside the purge's transaction, and returns the stored files
to delete once that transaction has committed.

Personal data that belongs to no request (a message sent through the accessibility
feedback form) registers with `unattached_data` instead: how it expires under its own
retention period, and how a person's access and erasure requests find and erase it by the
e-mail address (district/privacy.py); it counts as erased for core.E020 like a hook's.

The registry refuses a second hook under the same name; `check_personal_data_has_hook` (system check core.E020) fails when a model
with a personal field is erased by no hook. district/retention.py runs them all, in
registration order, one transaction per batch."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.checks import CheckMessage, Error, register

PurgeHook = Callable[[list[int], datetime.datetime], list[Any]]

HOOKS: dict[str, PurgeHook] = {}
#: "app_label.ModelName" → the names of its fields that hold personal data.
PERSONAL: dict[str, tuple[str, ...]] = {}
#: hook name → the models ("app_label.ModelName") it erases.
ERASES: dict[str, frozenset[str]] = {}


def _label(model: Any) -> str:
    return model if isinstance(model, str) else model._meta.label


def personal_data(model: Any, *fields: str) -> None:
    """Mark fields of `model` (a model class or "app_label.ModelName") as personal data: a
    purge hook must erase them (system check core.E020)."""
    label = _label(model)
    PERSONAL[label] = tuple(dict.fromkeys((*PERSONAL.get(label, ()), *fields)))


def purge_hook(name: str, *, erases: Iterable[Any] = ()) -> Callable[[PurgeHook], PurgeHook]:
    def decorator(hook: PurgeHook) -> PurgeHook:
        if name in HOOKS and HOOKS[name] is not hook:
            raise ValueError(f"a purge hook named {name!r} is registered already")
        HOOKS[name] = hook
        ERASES[name] = frozenset(_label(model) for model in erases)
        return hook

    return decorator


#: Where a person's request reaches: the ids of the municipalities, or None (everywhere).
Reach = Collection[int] | None


@dataclass(frozen=True)
class Unattached:
    """Personal data of an app that belongs to no request: `label` names it for the privacy
    officer; `expire(now)` erases what is past its retention period (returns how many);
    `find(email, reach)` gives a person's records as data for an access request (each a
    dict of plain values, "received_at" an ISO date-time, "lines" the readable summary);
    `erase(email, reach)` erases them (returns how many)."""

    label: Any
    expire: Callable[[datetime.datetime], int]
    find: Callable[[str, Reach], list[dict[str, Any]]]
    erase: Callable[[str, Reach], int]


UNATTACHED: dict[str, Unattached] = {}


def unattached_data(name: str, *, erases: Iterable[Any], data: Unattached) -> None:
    """Register personal data tied to no case (see the module's docstring)."""
    if name in UNATTACHED and UNATTACHED[name] is not data:
        raise ValueError(f"unattached personal data named {name!r} is registered already")
    UNATTACHED[name] = data
    ERASES[name] = frozenset(_label(model) for model in erases)


def unpurged_personal_data() -> dict[str, tuple[str, ...]]:
    """Models with personal fields that no registered hook erases."""
    covered = set().union(*ERASES.values()) if ERASES else set()
    return {label: fields for label, fields in PERSONAL.items() if label not in covered}


@register()
def check_personal_data_has_hook(
    app_configs: object = None, **kwargs: object
) -> list[CheckMessage]:
    from django.apps import apps

    errors: list[CheckMessage] = []
    for label, fields in sorted(unpurged_personal_data().items()):
        errors.append(
            Error(
                f"{label} holds personal data ({', '.join(fields)}) that no purge hook erases.",
                hint="Register a hook with @core.purge.purge_hook(name, erases=[...]) (or "
                "core.purge.unattached_data for data tied to no case) in your app's "
                "purge.py (docs/architecture.md, How to add a model with personal data).",
                obj=label,
                id="core.E020",
            )
        )
    for label, fields in sorted(PERSONAL.items()):
        try:
            names = {field.name for field in apps.get_model(label)._meta.get_fields()}
        except LookupError:
            names = set()
        for field in fields:
            if field not in names:
                errors.append(
                    Error(
                        f"{label}.{field} is marked personal but there is no such field.",
                        obj=label,
                        id="core.E021",
                    )
                )
    return errors
