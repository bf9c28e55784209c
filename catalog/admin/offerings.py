"""Admin of offerings, scoped by role (core/admin_scoping.py): district admins switch
offerings on and off; municipal admins set their own town's fee within the district's
bounds, typed in euros. The list of many offerings at once is the designer's
(/district/offerings/, docs/designer.md); the former towns × services matrix leads there."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.admin.common import euros
from catalog.designer.forms import EuroField
from catalog.models import ServiceDefinition, ServiceOffering
from catalog.selectors import newest_definition
from core.admin_scoping import ALL, RoleScopedAdmin, admin_scope


def offering_bounds(service_key: str) -> tuple[int, int] | None:
    """The district's fee bounds for a service (its newest version), if it exists."""
    definition = newest_definition(service_key)
    if definition is None:
        return None
    return definition.fee_min_cents, definition.fee_max_cents


class ServiceOfferingForm(forms.ModelForm):
    """The fee is typed in euros as the page's language writes them ("12,50" / "12.50")."""

    fee_override = EuroField(
        label=gettext_lazy("Fee in euros"),
        required=False,
        help_text=gettext_lazy(
            "Within the bounds the district set for the service; empty: the standard fee."
        ),
    )

    class Meta:
        model = ServiceOffering
        fields = ["municipality", "service_key", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fee_override"].initial = self.instance.fee_override_cents
        # In the list, each row's inputs stand without a <label>: their accessible names say
        # which town and service they belong to ("Bergkamen, sperrmuell: angeboten").
        if self.instance.pk:
            row = f"{self.instance.municipality}, {self.instance.service_key}"
            for name in ("active", "fee_override"):
                if name in self.fields:
                    label = self.fields[name].label
                    self.fields[name].widget.attrs["aria-label"] = f"{row}: {label}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        key = cleaned.get("service_key") or self.instance.service_key
        fee = cleaned.get("fee_override")
        if key and not ServiceDefinition.objects.filter(key=key).exists():
            self.add_error("service_key", _("There is no service with this key."))
            return cleaned
        if fee is not None and key:
            low, high = offering_bounds(key)
            if not low <= fee <= high:
                self.add_error(
                    "fee_override",
                    _(
                        "The fee must lie between %(low)s and %(high)s, the district's bounds "
                        "for this service."
                    )
                    % {"low": euros(low), "high": euros(high)},
                )
        if "fee_override" in cleaned and not self.errors:
            self.instance.fee_override_cents = fee
        return cleaned


@admin.register(ServiceOffering)
class ServiceOfferingAdmin(RoleScopedAdmin):
    form = ServiceOfferingForm
    district_permissions = ALL
    municipal_permissions = frozenset({"view", "change"})
    municipality_lookups = ("municipality",)
    change_list_template = "admin/catalog/serviceoffering/change_list.html"
    list_display = ["municipality", "service_key", "active", "fee", "bounds"]
    list_editable = ["active"]
    list_filter = ["active", "service_key"]
    search_fields = ["service_key", "municipality__name"]
    list_select_related = ["municipality"]

    @admin.display(description=gettext_lazy("fee"))
    def fee(self, obj: ServiceOffering) -> str:
        if obj.fee_override_cents is None:
            return _("standard fee")
        return euros(obj.fee_override_cents)

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
            "show_matrix": scope.superuser or scope.district_admin or scope.municipal_admin,
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
        """The towns × services matrix did not fit a screen; the offerings list does."""
        return HttpResponseRedirect(reverse("designer-offerings"))
