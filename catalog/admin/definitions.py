"""Admin of service definitions, scoped by role (core/admin_scoping.py).

District admins edit drafts of service definitions, publish them as new immutable versions,
preview the citizen form, and export and import definitions. Municipal admins read the
catalog (the fee bounds) and may export it."""

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.admin.common import euros
from catalog.forms.fields import steps_of
from catalog.forms.validation import schema_errors
from catalog.models import ServiceDefinition
from catalog.services import (
    definition_errors,
    service_draft_create,
    service_export,
    service_publish,
    services_import,
)
from core.admin_scoping import ALL, VIEW, RoleScopedAdmin, admin_scope
from core.audit import audit_record
from core.errors import PortalError
from core.i18n import translated
from core.models import AuditEntry


class ServiceDefinitionForm(forms.ModelForm):
    class Meta:
        model = ServiceDefinition
        fields = [
            "key",
            "leika",
            "name",
            "description",
            "synonyms",
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
            "privacy",
            "legal_remedy",
            "trust_level",
        ]
        widgets = {
            "form": forms.Textarea(attrs={"rows": 30, "cols": 100, "class": "vLargeTextField"}),
            "fee": forms.Textarea(attrs={"rows": 3, "cols": 100}),
            "name": forms.Textarea(attrs={"rows": 2, "cols": 100}),
            "description": forms.Textarea(attrs={"rows": 4, "cols": 100}),
            "synonyms": forms.Textarea(attrs={"rows": 2, "cols": 100}),
            "process_steps": forms.Textarea(attrs={"rows": 2, "cols": 100}),
            "privacy": forms.Textarea(attrs={"rows": 6, "cols": 100}),
            "legal_remedy": forms.Textarea(attrs={"rows": 6, "cols": 100}),
        }

    def clean_synonyms(self) -> Any:
        # An empty box is no synonyms (the model's default), not a missing value.
        return self.cleaned_data.get("synonyms") or []

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
            "synonyms": cleaned.get("synonyms", self.instance.synonyms),
            "privacy": cleaned.get("privacy", self.instance.privacy),
            "legal_remedy": cleaned.get("legal_remedy", self.instance.legal_remedy),
        }
        for problem in definition_errors(spec):
            if problem not in form_problems:
                target = (
                    "synonyms"
                    if problem.startswith("synonyms")
                    else next(
                        (
                            field
                            for word, field in (
                                ("process steps", "process_steps"),
                                ("fee", "fee"),
                                ("privacy", "privacy"),
                                ("legal_remedy", "legal_remedy"),
                            )
                            if word in problem
                        ),
                        None,
                    )
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
            reverse("admin:catalog_servicedefinition_change", args=[last.pk])
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
    change_form_template = "admin/catalog/servicedefinition/change_form.html"
    change_list_template = "admin/catalog/servicedefinition/change_list.html"
    list_display = [
        "key",
        "version",
        "status",
        "offered_by",
        "trust_level",
        "fee_display",
        "sla_days",
    ]
    list_filter = ["status", "offered_by", "prepay", "trust_level"]
    search_fields = ["key", "leika"]
    actions = [create_next_draft, publish_drafts, export_json]

    @admin.display(description=gettext_lazy("fee"))
    def fee_display(self, obj: ServiceDefinition) -> str:
        if obj.fee_kind == ServiceDefinition.FeeKind.FREE:
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
        except PortalError as exc:
            self.message_user(request, exc.detail, messages.ERROR)
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
                reverse("admin:catalog_servicedefinition_change", args=[obj.pk])
            )
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if "_publish" in request.POST:
            self.publish(request, obj)
            return HttpResponseRedirect(
                reverse("admin:catalog_servicedefinition_change", args=[obj.pk])
            )
        return super().response_add(request, obj, post_url_continue)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="catalog_servicedefinition_import",
            ),
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="catalog_servicedefinition_preview",
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
                imported = services_import(
                    specs=form.cleaned_data["specs"],
                    publish=False,
                    actor=request.user,
                    source=form.cleaned_data["file"].name,
                )
            except PortalError as exc:
                form.add_error("file", exc.detail)
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
                return HttpResponseRedirect(reverse("admin:catalog_servicedefinition_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import service definitions"),
            "form": form,
        }
        return TemplateResponse(request, "admin/catalog/servicedefinition/import.html", context)

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
        return TemplateResponse(request, "admin/catalog/servicedefinition/preview.html", context)
