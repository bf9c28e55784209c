"""Cases in the admin: their contents for superusers only (personal data), failed automatic
steps for district and municipal admins with a retry action (core/admin_scoping.py)."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Attachment, Case, CaseEvent, CaseStep
from cases.steps import step_retry
from core.admin_scoping import NONE, RoleScopedAdmin
from core.audit import audit_record
from core.models import AuditEntry


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = [
        "at",
        "type",
        "from_status",
        "to_status",
        "actor_label",
        "visibility",
        "comment",
    ]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class CaseStepInline(admin.TabularInline):
    model = CaseStep
    extra = 0
    can_delete = False
    readonly_fields = ["key", "status", "attempts", "last_error", "next_attempt_at", "done_at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(RoleScopedAdmin):
    # District and municipal admins read statistics, never case contents.
    district_permissions = NONE
    municipal_permissions = NONE
    municipality_lookups = ("processing_authority",)
    list_display = [
        "reference",
        "service",
        "municipality",
        "processing_authority",
        "status",
        "due_date",
    ]
    list_filter = ["status", "processing_authority"]
    search_fields = ["reference"]
    readonly_fields = [f.name for f in Case._meta.fields]
    inlines = [CaseStepInline, CaseEventInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.action(description=gettext_lazy("Retry the selected failed steps"))
def retry_steps(modeladmin, request, queryset) -> None:
    count = 0
    for step in queryset.filter(status=CaseStep.Status.FAILED):
        step_retry(step=step)
        audit_record(
            actor=request.user,
            action=AuditEntry.Action.CHANGE,
            obj=step,
            municipality_id=step.case.processing_authority_id,
            changes={"retried": True},
        )
        count += 1
    messages.info(request, _("%(count)s step(s) queued again.") % {"count": count})


@admin.register(CaseStep)
class CaseStepAdmin(RoleScopedAdmin):
    """Failed automatic steps, with a retry action. No case contents are shown."""

    district_permissions = frozenset({"view", "change"})
    municipal_permissions = frozenset({"view", "change"})
    municipality_lookups = ("case__processing_authority",)
    list_display = ["case", "key", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "name"]
    search_fields = ["case__reference"]
    list_select_related = ["case"]
    actions = [retry_steps]
    readonly_fields = [
        "case",
        "name",
        "key",
        "payload",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "created_at",
        "done_at",
    ]

    def municipality_of(self, obj: CaseStep) -> int | None:
        return obj.case.processing_authority_id

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Attachment)
class AttachmentAdmin(RoleScopedAdmin):
    district_permissions = NONE
    municipal_permissions = NONE
    municipality_lookups = ("case__processing_authority",)
