from django.contrib import admin, messages

from services.models import Attachment, Case, CaseEvent, CaseStep, ServiceDefinition, ServiceOffering
from services.steps import step_retry


@admin.register(ServiceDefinition)
class ServiceDefinitionAdmin(admin.ModelAdmin):
    list_display = ["key", "version", "status", "offered_by", "prepay", "sla_days"]
    list_filter = ["status", "offered_by", "prepay"]
    search_fields = ["key"]


@admin.register(ServiceOffering)
class ServiceOfferingAdmin(admin.ModelAdmin):
    list_display = ["municipality", "service_key", "active", "fee_override_cents"]
    list_filter = ["municipality", "active"]
    search_fields = ["service_key"]


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "type", "from_status", "to_status", "actor_label", "visibility", "comment"]
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
class CaseAdmin(admin.ModelAdmin):
    list_display = ["reference", "service", "municipality", "processing_authority", "status", "due_date"]
    list_filter = ["status", "processing_authority"]
    search_fields = ["reference"]
    readonly_fields = [f.name for f in Case._meta.fields]
    inlines = [CaseStepInline, CaseEventInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.action(description="Retry the selected failed steps")
def retry_steps(modeladmin, request, queryset) -> None:
    count = 0
    for step in queryset.filter(status=CaseStep.Status.FAILED):
        step_retry(step=step)
        count += 1
    messages.info(request, f"{count} step(s) queued again.")


@admin.register(CaseStep)
class CaseStepAdmin(admin.ModelAdmin):
    list_display = ["case", "key", "status", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["status", "name"]
    search_fields = ["case__reference"]
    actions = [retry_steps]
    readonly_fields = ["case", "name", "key", "payload", "attempts", "last_error", "done_at"]


admin.site.register(Attachment)
