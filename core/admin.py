"""The audit view: every admin change, read-only, scoped like the rest of the admin; and the
audit of admin pages that are not role-scoped (users, groups: superusers only)."""

from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver

from core.admin_scoping import VIEW, AuditedAdminMixin, RoleScopedAdmin, admin_scope
from core.audit import audit_record
from core.models import AuditEntry

User = get_user_model()


@admin.register(AuditEntry)
class AuditEntryAdmin(RoleScopedAdmin):
    district_permissions = VIEW
    municipal_permissions = VIEW
    municipality_lookups = ("municipality",)
    list_display = ["at", "actor_label", "action", "object_type", "object_repr", "municipality"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_repr", "object_id"]
    date_hierarchy = "at"
    list_select_related = ["municipality"]
    readonly_fields = [
        "at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "municipality",
        "changes",
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        scope = admin_scope(request)
        qs = super(RoleScopedAdmin, self).get_queryset(request)
        if scope.superuser:
            return qs
        if scope.district_admin:
            # District-wide objects (service definitions, purges) have no town.
            return qs.filter(Q(municipality__isnull=True) | Q(municipality__in=scope.reach))
        if scope.municipal_admin:
            return qs.filter(municipality__in=scope.reach)
        return qs.none()

    # Append-only, for everyone including superusers.
    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# Users and groups: Django's own admin pages (superusers only), with the audit trail.
for model, base in ((User, UserAdmin), (Group, GroupAdmin)):
    if admin.site.is_registered(model):
        base = type(admin.site._registry[model])
        admin.site.unregister(model)
    admin.site.register(model, type(f"Audited{base.__name__}", (AuditedAdminMixin, base), {}))


LOG_ACTIONS = {
    ADDITION: AuditEntry.Action.ADD,
    CHANGE: AuditEntry.Action.CHANGE,
    DELETION: AuditEntry.Action.DELETE,
}


@receiver(post_save, sender=LogEntry, dispatch_uid="core.audit_from_log_entry")
def audit_from_log_entry(sender, instance: LogEntry, created: bool, **kwargs) -> None:
    """Changes through any other admin page (celery beat, tokens, …): recorded from Django's
    own log entry. Pages with AuditedAdminMixin record themselves, with field values."""
    if not created or instance.content_type_id is None:
        return
    model = instance.content_type.model_class()
    if isinstance(admin.site._registry.get(model), AuditedAdminMixin):
        return
    audit_record(
        actor=instance.user,
        action=LOG_ACTIONS.get(instance.action_flag, AuditEntry.Action.CHANGE),
        object_type=f"{instance.content_type.app_label}.{instance.content_type.model}",
        object_repr=instance.object_repr,
        object_id=str(instance.object_id or ""),
        changes={"message": instance.get_change_message()},
    )
