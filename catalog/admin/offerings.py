"""Admin of offerings, scoped by role (core/admin_scoping.py): district admins switch
offerings on and off (also as a towns × services matrix); municipal admins set their own
town's fee within the district's bounds."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.admin.common import euros
from catalog.models import ServiceDefinition, ServiceOffering
from catalog.selectors import newest_definition
from core.admin_scoping import ALL, RoleScopedAdmin, admin_scope
from core.audit import audit_record
from core.models import AuditEntry
from municipalities.models import Municipality


def offering_bounds(service_key: str) -> tuple[int, int] | None:
    """The district's fee bounds for a service (its newest version), if it exists."""
    definition = newest_definition(service_key)
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
    change_list_template = "admin/catalog/serviceoffering/change_list.html"
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
                name="catalog_serviceoffering_matrix",
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
            return HttpResponseRedirect(reverse("admin:catalog_serviceoffering_matrix"))
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
        return TemplateResponse(request, "admin/catalog/serviceoffering/matrix.html", context)

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
