"""What the retention purge erases: every app that keeps personal data about a request says
how to erase it, in one registry, so the purge reaches every table (docs/operations.md,
Retention).

A hook takes the ids of the requests (cases) whose retention period ended and the time of
the purge, erases what its app keeps about them inside the purge's transaction, and returns
the stored files to delete once that transaction has committed:

    @purge_hook("payments")
    def purge_payments(case_ids: list[int], now: datetime) -> list[FieldFile]: ...

The registry refuses a second hook under the same name. district/retention.py runs them all,
in registration order, one transaction per batch."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

PurgeHook = Callable[[list[int], datetime.datetime], list[Any]]

HOOKS: dict[str, PurgeHook] = {}


def purge_hook(name: str) -> Callable[[PurgeHook], PurgeHook]:
    def decorator(hook: PurgeHook) -> PurgeHook:
        if name in HOOKS and HOOKS[name] is not hook:
            raise ValueError(f"a purge hook named {name!r} is registered already")
        HOOKS[name] = hook
        return hook

    return decorator
