"""The one write of the audit trail (core.models.AuditEntry)."""

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
