"""The audit view: every admin change, read-only, scoped like the rest of the admin."""

from django.contrib import admin
from django.db.models import Q

from portal.admin_scoping import VIEW, RoleScopedAdmin, admin_scope
from portal.models import AuditEntry


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
        if scope.district:
            # District-wide objects (service definitions, purges) have no town.
            return qs.filter(
                Q(municipality__isnull=True) | Q(municipality__in=scope.municipality_ids)
            )
        if scope.municipal:
            return qs.filter(municipality__in=scope.municipality_ids)
        return qs.none()

    # Append-only, for everyone including superusers.
    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
