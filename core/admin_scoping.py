"""Role-scoped Django admin: who may see and change what (docs/architecture.md, Who uses it).

Superusers see everything. District admins see the whole of their district; municipal
admins see only rows of their own town(s); clerks have no admin access at all (they are not
staff). Model permissions are not used for these roles: the role decides, through the one
tenancy scope (core/tenancy.py).

Every change made through a scoped admin is appended to the audit trail
(core.models.AuditEntry).

A new admin page: subclass `RoleScopedAdmin`, say what each role may do
(`district_permissions`, `municipal_permissions`) and how a row reaches its municipality
(`municipality_lookups`)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from core.audit import audit_record
from core.models import AuditEntry
from core.tenancy import NOBODY, Scope, scope_for_request
from municipalities.models import Municipality

ALL = frozenset({"view", "add", "change", "delete"})
VIEW = frozenset({"view"})
NONE: frozenset[str] = frozenset()


def admin_scope(request: HttpRequest) -> Scope:
    """The request user's scope in the admin: nobody's unless they are active staff."""
    user = request.user
    if not user.is_authenticated or not user.is_active or not user.is_staff:
        return NOBODY
    return scope_for_request(request)


def _plain(value: Any) -> Any:
    """A JSON-safe rendering of a form value for the audit trail."""
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, QuerySet):
        return [str(v) for v in value]
    return str(value)


class AuditedAdminMixin:
    """Appends every add, change and delete made through a ModelAdmin to the audit trail,
    with the old and new value of each changed field. Put it before ModelAdmin in the bases.
    """

    def municipality_of(self, obj: Any) -> int | None:
        return None

    def save_model(self, request: HttpRequest, obj: Any, form, change: bool) -> None:
        # Remember old and new values of what the form changed, for log_change.
        request._audit_changes = {
            name: {
                "from": _plain(form.initial.get(name)),
                "to": _plain(form.cleaned_data.get(name)),
            }
            for name in form.changed_data
        }
        super().save_model(request, obj, form, change)

    def log_addition(self, request: HttpRequest, obj: Any, message: Any):
        audit_record(
            actor=request.user,
            action=AuditEntry.Action.ADD,
            obj=obj,
            municipality_id=self.municipality_of(obj),
            changes={"fields": getattr(request, "_audit_changes", {})},
        )
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any):
        audit_record(
            actor=request.user,
            action=AuditEntry.Action.CHANGE,
            obj=obj,
            municipality_id=self.municipality_of(obj),
            changes={"fields": getattr(request, "_audit_changes", {}), "message": message},
        )
        request._audit_changes = {}
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Any):
        for obj in queryset:
            audit_record(
                actor=request.user,
                action=AuditEntry.Action.DELETE,
                obj=obj,
                municipality_id=self.municipality_of(obj),
            )
        return super().log_deletions(request, queryset)


class RoleScopedAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Base for every admin page district and municipal admins use.

    Subclasses say which permissions each role has (`district_permissions`,
    `municipal_permissions`) and how a row reaches its municipality
    (`municipality_lookups`: ORM paths; a row is in scope if any of them is one of the
    user's municipalities). Foreign rows are filtered out of the queryset, so their change
    URLs answer like a missing object, and municipality choices of foreign keys are cut
    to the user's scope."""

    district_permissions: frozenset[str] = ALL
    municipal_permissions: frozenset[str] = NONE
    municipality_lookups: tuple[str, ...] = ("municipality",)

    def role_permissions(self, request: HttpRequest) -> frozenset[str]:
        scope = admin_scope(request)
        if scope.superuser:
            return ALL
        if scope.district_admin:
            return self.district_permissions
        if scope.municipal_admin:
            return self.municipal_permissions
        return NONE

    def scope_filter(self, scope: Scope) -> Q:
        q = Q(pk__in=[])
        for lookup in self.municipality_lookups:
            q |= Q(**{f"{lookup}__in": scope.reach or ()})
        return q

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        scope = admin_scope(request)
        if scope.superuser:
            return qs
        if not self.role_permissions(request):
            return qs.none()
        if not self.municipality_lookups:
            return qs
        # The lookups follow foreign keys (many-to-one), so the filter adds no duplicates.
        return qs.filter(self.scope_filter(scope))

    def in_scope(self, request: HttpRequest, obj: Any) -> bool:
        scope = admin_scope(request)
        if scope.superuser or obj is None or not self.municipality_lookups:
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def scoped_municipalities(self, request: HttpRequest) -> QuerySet[Municipality]:
        reach = admin_scope(request).reach
        if reach is None:
            return Municipality.objects.all()
        return Municipality.objects.filter(pk__in=reach)

    def municipality_of(self, obj: Any) -> int | None:
        """The town an audit entry about `obj` belongs to."""
        lookup = self.municipality_lookups[0] if self.municipality_lookups else None
        if lookup is None or "__" in lookup:
            return None
        return getattr(obj, f"{lookup}_id", None)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(self.role_permissions(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        perms = self.role_permissions(request)
        if not perms:
            return False
        return ("view" in perms or "change" in perms) and (
            obj is None or self.in_scope(request, obj)
        )

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return "add" in self.role_permissions(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return "change" in self.role_permissions(request) and (
            obj is None or self.in_scope(request, obj)
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return "delete" in self.role_permissions(request) and (
            obj is None or self.in_scope(request, obj)
        )

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.related_model is Municipality and "queryset" not in kwargs:
            kwargs["queryset"] = self.scoped_municipalities(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
