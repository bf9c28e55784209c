"""The one write of the audit trail (core.models.AuditEntry)."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from core.models import AuditEntry


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_repr: str = "",
    object_id: str = "",
    municipality_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry: who did what to which object (`obj`, or a type and label for
    changes to many rows at once)."""
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_repr = object_repr or str(obj)[:200]
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=actor.get_username()
        if actor is not None and actor.is_authenticated
        else "system",
        action=action,
        object_type=object_type,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else object_id,
        object_repr=object_repr[:200],
        municipality_id=municipality_id,
        changes=changes or {},
    )


def audit_redact(model: Any, ids: Iterable[Any]) -> int:
    """Erase the values that entries about these rows quote (a purge or an erasure request,
    core/purge.py): who did what to which object and when stays; the changed values and the
    object's label (it may name a person) go. The one exception to the trail being
    append-only, because the law demands it. Returns the number of entries redacted."""
    ids = [str(pk) for pk in ids]
    if not ids:
        return 0
    object_type = f"{model._meta.app_label}.{model._meta.model_name}"
    entries = AuditEntry.objects.filter(object_type=object_type, object_id__in=ids)
    return entries.update(changes={"redacted": True}, object_repr=object_type)
