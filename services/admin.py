"""Admin of the shared catalog, scoped by role (core/admin_scoping.py).

District admins edit drafts of service definitions, publish them as new immutable versions,
preview the citizen form, export and import definitions, and switch offerings on and off
(the offerings matrix). Municipal admins see the catalog and set their own town's fee
overrides within the district's bounds. Cases stay with superusers: district staff read
aggregates on /district/, never personal data."""

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin_scoping import ALL, NONE, VIEW, RoleScopedAdmin, admin_scope
from core.audit import audit_record
from core.models import AuditEntry
from municipalities.models import Municipality
from services.catalog import (
    definition_errors,
    service_draft_create,
    service_export,
    service_import,
    service_publish,
)
from services.forms import schema_errors, steps_of
from services.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseStep,
    ServiceDefinition,
    ServiceOffering,
    translated,
)
from services.steps import step_retry


def euros(cents: int) -> str:
    return f"{cents / 100:.2f} €".replace(".", ",")


# --- service definitions ----------------------------------------------------------------


class ServiceDefinitionForm(forms.ModelForm):
    class Meta:
        model = ServiceDefinition
        fields = [
            "key",
            "leika",
            "name",
            "description",
            "offered_by",
            "form",
            "fee",
            "fee_min_cents",
            "fee_max_cents",
            "prepay",
            "sla_days",
            "retention_days",
            "process_steps",
            "agency_email",
        ]
        widgets = {
            "form": forms.Textarea(attrs={"rows": 30, "cols": 100, "class": "vLargeTextField"}),
            "fee": forms.Textarea(attrs={"rows": 3, "cols": 100}),
            "name": forms.Textarea(attrs={"rows": 2, "cols": 100}),
            "description": forms.Textarea(attrs={"rows": 4, "cols": 100}),
            "process_steps": forms.Textarea(attrs={"rows": 2, "cols": 100}),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        form_problems = schema_errors(cleaned.get("form"))
        for problem in form_problems:
            self.add_error("form", problem)
        spec = {
            "key": cleaned.get("key") or self.instance.key,
            "name": cleaned.get("name", self.instance.name),
            "form": cleaned.get("form", self.instance.form),
            "fee": cleaned.get("fee", self.instance.fee),
            "offered_by": cleaned.get("offered_by", self.instance.offered_by),
            "process_steps": cleaned.get("process_steps", self.instance.process_steps),
        }
        for problem in definition_errors(spec):
            if problem not in form_problems:
                target = (
                    "process_steps"
                    if "process steps" in problem
                    else ("fee" if "fee" in problem else None)
                )
                self.add_error(target, problem)
        low = cleaned.get("fee_min_cents", self.instance.fee_min_cents)
        high = cleaned.get("fee_max_cents", self.instance.fee_max_cents)
        if low is not None and high is not None and low > high:
            self.add_error(
                "fee_max_cents", _("The highest fee lies below the lowest fee towns may set.")
            )
        if self.instance.pk is None and cleaned.get("key"):
            if ServiceDefinition.objects.filter(
                key=cleaned["key"], status=ServiceDefinition.Status.DRAFT
            ).exists():
                self.add_error(
                    "key", _("This service already has a draft; edit that draft instead.")
                )
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("JSON file"),
        help_text=gettext_lazy("One definition or a list, in the format of services.json."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        try:
            data = json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValidationError(
                _("The file is not valid JSON: %(error)s") % {"error": exc}
            ) from exc
        specs = data if isinstance(data, list) else [data]
        if not specs or not all(isinstance(spec, dict) for spec in specs):
            raise ValidationError(_("The file must hold one definition or a list of them."))
        problems = [
            f"{spec.get('key', '?')}: {problem}"
            for spec in specs
            for problem in definition_errors(spec)
        ]
        if problems:
            raise ValidationError(problems)
        cleaned["specs"] = specs
        return cleaned


@admin.action(description=gettext_lazy("Create a draft of the next version"))
def create_next_draft(modeladmin, request, queryset) -> HttpResponseRedirect | None:
    last = None
    for definition in queryset:
        draft, created = service_draft_create(definition=definition)
        if created:
            audit_record(
                actor=request.user,
                action=AuditEntry.Action.ADD,
                obj=draft,
                changes={"copied_from_version": definition.version},
            )
        last = draft
    if last is not None and queryset.count() == 1:
        return HttpResponseRedirect(
            reverse("admin:services_servicedefinition_change", args=[last.pk])
        )
    return None


@admin.action(description=gettext_lazy("Publish as new version"))
def publish_drafts(modeladmin, request, queryset) -> None:
    for definition in queryset:
        modeladmin.publish(request, definition)


@admin.action(description=gettext_lazy("Export as JSON"))
def export_json(modeladmin, request, queryset) -> HttpResponse:
    specs = [service_export(d) for d in queryset.order_by("key", "version")]
    for definition in queryset:
        audit_record(actor=request.user, action=AuditEntry.Action.EXPORT, obj=definition)
    payload = specs[0] if len(specs) == 1 else specs
    name = f"{specs[0]['key']}-v{specs[0]['version']}" if len(specs) == 1 else "services"
    response = HttpResponse(
        json.dumps(payload, ensure_ascii=False, indent=2) + "\n",
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


@admin.register(ServiceDefinition)
class ServiceDefinitionAdmin(RoleScopedAdmin):
    """Versions of district-wide services. Published versions are read-only."""

    form = ServiceDefinitionForm
    district_permissions = ALL
    # Definitions are the district's, not a town's: municipal admins may read them (bounds).
    municipal_permissions = VIEW
    municipality_lookups = ()
    change_form_template = "admin/services/servicedefinition/change_form.html"
    change_list_template = "admin/services/servicedefinition/change_list.html"
    list_display = ["key", "version", "status", "offered_by", "fee_display", "sla_days"]
    list_filter = ["status", "offered_by", "prepay"]
    search_fields = ["key", "leika"]
    actions = [create_next_draft, publish_drafts, export_json]

    @admin.display(description=gettext_lazy("fee"))
    def fee_display(self, obj: ServiceDefinition) -> str:
        if obj.fee_kind == "free":
            return _("free")
        return euros(obj.base_fee_cents)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == ServiceDefinition.Status.PUBLISHED:
            return [f.name for f in ServiceDefinition._meta.fields if f.name != "id"]
        readonly = ["version", "status", "published_at", "created_at"]
        if obj is not None:
            readonly.insert(0, "key")
        return readonly

    def get_actions(self, request):
        actions = super().get_actions(request)
        if admin_scope(request).municipal_admin:
            return {k: v for k, v in actions.items() if k == "export_json"}
        return actions

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.status == ServiceDefinition.Status.PUBLISHED:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        # A published version may have cases and is part of the record; drafts may go.
        if obj is not None and obj.status == ServiceDefinition.Status.PUBLISHED:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        queryset.filter(status=ServiceDefinition.Status.DRAFT).delete()

    def log_deletions(self, request, queryset):
        # Only drafts are deleted (delete_queryset); only they go into the trail.
        drafts = [d for d in queryset if d.status == ServiceDefinition.Status.DRAFT]
        return super().log_deletions(request, drafts)

    def save_model(self, request, obj: ServiceDefinition, form, change: bool) -> None:
        if not change:
            newest = (
                ServiceDefinition.objects.filter(key=obj.key)
                .order_by("-version")
                .values_list("version", flat=True)
                .first()
            )
            obj.version = (newest or 0) + 1
            obj.status = ServiceDefinition.Status.DRAFT
        super().save_model(request, obj, form, change)

    def publish(self, request: HttpRequest, definition: ServiceDefinition) -> bool:
        try:
            published = service_publish(definition=definition)
        except ValidationError as exc:
            for message in exc.messages:
                self.message_user(request, message, messages.ERROR)
            return False
        audit_record(
            actor=request.user,
            action=AuditEntry.Action.PUBLISH,
            obj=published,
            changes={"version": published.version},
        )
        self.message_user(
            request,
            _("%(key)s version %(version)s is published; new cases use it.")
            % {"key": published.key, "version": published.version},
            messages.SUCCESS,
        )
        return True

    def response_change(self, request, obj):
        if "_publish" in request.POST:
            self.publish(request, obj)
            return HttpResponseRedirect(
                reverse("admin:services_servicedefinition_change", args=[obj.pk])
            )
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if "_publish" in request.POST:
            self.publish(request, obj)
            return HttpResponseRedirect(
                reverse("admin:services_servicedefinition_change", args=[obj.pk])
            )
        return super().response_add(request, obj, post_url_continue)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="services_servicedefinition_import",
            ),
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="services_servicedefinition_preview",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.has_add_permission(request)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a services.json-format file; each definition that differs from the newest
        version becomes a draft of the next version, to be checked and published here."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            imported = []
            try:
                with transaction.atomic():
                    for spec in form.cleaned_data["specs"]:
                        definition, created = service_import(spec=spec, publish=False)
                        if created:
                            audit_record(
                                actor=request.user,
                                action=AuditEntry.Action.ADD,
                                obj=definition,
                                changes={"imported_from": form.cleaned_data["file"].name},
                            )
                        imported.append((definition, created))
            except ValidationError as exc:
                form.add_error("file", exc.messages)
            else:
                for definition, created in imported:
                    text = (
                        _("%(key)s: imported as draft version %(version)s.")
                        if created
                        else _("%(key)s: unchanged (version %(version)s).")
                    )
                    self.message_user(
                        request, text % {"key": definition.key, "version": definition.version}
                    )
                return HttpResponseRedirect(reverse("admin:services_servicedefinition_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import service definitions"),
            "form": form,
        }
        return TemplateResponse(request, "admin/services/servicedefinition/import.html", context)

    def preview_view(self, request: HttpRequest, pk: int) -> TemplateResponse:
        """The form as citizens will see it: steps, labels, types, help and choices."""
        definition = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, definition):
            raise PermissionDenied
        problems = schema_errors(definition.form)
        steps = []
        if not problems:
            for step in steps_of(definition.form):
                steps.append(
                    {
                        "title": translated(step.get("title")),
                        "fields": [
                            {
                                "name": f["name"],
                                "label": translated(f.get("label")) or f["name"],
                                "type": f["type"],
                                "required": bool(f.get("required")),
                                "help": translated(f.get("help")),
                                "choices": [
                                    translated(c.get("label")) or c["value"]
                                    for c in f.get("choices", [])
                                ],
                            }
                            for f in step.get("fields", [])
                        ],
                    }
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": definition,
            "title": _("Preview: %(name)s") % {"name": definition},
            "definition": definition,
            "steps": steps,
            "problems": problems,
            "fee": self.fee_display(definition),
        }
        return TemplateResponse(request, "admin/services/servicedefinition/preview.html", context)


# --- offerings ------------------------------------------------------------------------


def offering_bounds(service_key: str) -> tuple[int, int] | None:
    """The district's fee bounds for a service (its newest version), if it exists."""
    definition = ServiceDefinition.objects.filter(key=service_key).order_by("-version").first()
    if definition is None:
        return None
    return definition.fee_min_cents, definition.fee_max_cents


class ServiceOfferingForm(forms.ModelForm):
    class Meta:
        model = ServiceOffering
        fields = ["municipality", "service_key", "active", "fee_override_cents"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        key = cleaned.get("service_key") or self.instance.service_key
        fee = cleaned.get("fee_override_cents")
        if key and not ServiceDefinition.objects.filter(key=key).exists():
            self.add_error("service_key", _("There is no service with this key."))
            return cleaned
        if fee is not None and key:
            low, high = offering_bounds(key)
            if not low <= fee <= high:
                self.add_error(
                    "fee_override_cents",
                    _(
                        "The fee must lie between %(low)s and %(high)s (%(low_c)s–%(high_c)s "
                        "cents), the district's bounds for this service."
                    )
                    % {"low": euros(low), "high": euros(high), "low_c": low, "high_c": high},
                )
        return cleaned


@admin.register(ServiceOffering)
class ServiceOfferingAdmin(RoleScopedAdmin):
    form = ServiceOfferingForm
    district_permissions = ALL
    municipal_permissions = frozenset({"view", "change"})
    municipality_lookups = ("municipality",)
    change_list_template = "admin/services/serviceoffering/change_list.html"
    list_display = ["municipality", "service_key", "active", "fee_override_cents", "bounds"]
    list_editable = ["active", "fee_override_cents"]
    list_filter = ["active", "service_key"]
    search_fields = ["service_key", "municipality__name"]
    list_select_related = ["municipality"]

    @admin.display(description=gettext_lazy("district's bounds"))
    def bounds(self, obj: ServiceOffering) -> str:
        if getattr(obj, "bound_min", None) is None:
            return "—"
        return f"{euros(obj.bound_min)} – {euros(obj.bound_max)}"

    def get_queryset(self, request):
        newest = ServiceDefinition.objects.filter(key=OuterRef("service_key")).order_by("-version")
        return (
            super()
            .get_queryset(request)
            .annotate(
                bound_min=Subquery(newest.values("fee_min_cents")[:1]),
                bound_max=Subquery(newest.values("fee_max_cents")[:1]),
            )
        )

    def get_list_filter(self, request):
        if admin_scope(request).municipal_admin:
            return ["active", "service_key"]
        return ["active", "municipality", "service_key"]

    def get_readonly_fields(self, request, obj=None):
        if admin_scope(request).municipal_admin:
            return ["municipality", "service_key", "active"]
        if obj is not None:
            return ["municipality", "service_key"]
        return []

    def get_changelist_form(self, request, **kwargs):
        # The list's inline fee fields get the same bounds check as the change form.
        base = super().get_changelist_form(request, form=ServiceOfferingForm, **kwargs)
        if not admin_scope(request).municipal_admin:
            return base

        class FeeOnlyForm(base):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                # On/off is the district's decision; towns only set their fee.
                self.fields["active"].disabled = True

        return FeeOnlyForm

    def changelist_view(self, request, extra_context=None):
        scope = admin_scope(request)
        extra_context = {
            **(extra_context or {}),
            "show_matrix": scope.superuser or scope.district_admin,
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "matrix/",
                self.admin_site.admin_view(self.matrix_view),
                name="services_serviceoffering_matrix",
            ),
            *super().get_urls(),
        ]

    def matrix_view(self, request: HttpRequest) -> HttpResponse:
        """Towns × services: which town offers what (district admins)."""
        scope = admin_scope(request)
        if not (scope.superuser or scope.district_admin):
            raise PermissionDenied
        towns = list(self.scoped_municipalities(request).order_by("-kind", "name"))
        keys = list(
            ServiceDefinition.objects.filter(status=ServiceDefinition.Status.PUBLISHED)
            .order_by("key")
            .values_list("key", flat=True)
            .distinct()
        )
        offerings = {
            (o.municipality_id, o.service_key): o
            for o in ServiceOffering.objects.filter(municipality__in=towns)
        }
        if request.method == "POST":
            changed = self._matrix_save(request, towns, keys, offerings)
            self.message_user(
                request,
                _("%(count)s offering(s) changed.") % {"count": changed},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:services_serviceoffering_matrix"))
        names = {
            d.key: d.display_name
            for d in ServiceDefinition.objects.filter(
                key__in=keys, status=ServiceDefinition.Status.PUBLISHED
            ).order_by("key", "version")
        }
        rows = [
            {
                "town": town,
                "cells": [
                    {
                        "key": key,
                        "name": names.get(key, key),
                        "field": f"offer-{town.pk}-{key}",
                        "on": bool(
                            offerings.get((town.pk, key)) and offerings[(town.pk, key)].active
                        ),
                    }
                    for key in keys
                ],
            }
            for town in towns
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Offerings matrix"),
            "services": [{"key": k, "name": names.get(k, k)} for k in keys],
            "rows": rows,
        }
        return TemplateResponse(request, "admin/services/serviceoffering/matrix.html", context)

    @transaction.atomic
    def _matrix_save(
        self,
        request: HttpRequest,
        towns: list[Municipality],
        keys: list[str],
        offerings: dict[tuple[int, str], ServiceOffering],
    ) -> int:
        changed = 0
        for town in towns:
            for key in keys:
                wanted = request.POST.get(f"offer-{town.pk}-{key}") == "on"
                offering = offerings.get((town.pk, key))
                if offering is None and not wanted:
                    continue
                if offering is None:
                    offering = ServiceOffering.objects.create(
                        municipality=town, service_key=key, active=True
                    )
                    action = AuditEntry.Action.ADD
                elif offering.active != wanted:
                    offering.active = wanted
                    offering.save(update_fields=["active"])
                    action = AuditEntry.Action.CHANGE
                else:
                    continue
                changed += 1
                audit_record(
                    actor=request.user,
                    action=action,
                    obj=offering,
                    municipality_id=town.pk,
                    changes={"fields": {"active": {"from": not wanted, "to": wanted}}},
                )
        return changed


# --- cases and steps: superusers only (personal data) ----------------------------------


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
