"""Payments in the admin: read-only records for district and municipal admins (their own
towns' payments), and the pain.001 export of open refunds for the treasury."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core import formats
from core.admin_scoping import VIEW, RoleScopedAdmin
from payments import payables, providers
from payments.models import Payment, PaymentEvent, Refund, StatementImport, StatementLine
from payments.services.refunds import refunds_export
from payments.views import export_download


class ProviderFilter(admin.SimpleListFilter):
    """ "By provider" with the providers' names ("Überweisung mit GiroCode"), not their keys."""

    title = _("provider")
    parameter_name = "provider"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return providers.choices()

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(provider=self.value()) if self.value() else queryset


def amount_column(field: str, description: str | Promise) -> Callable[[admin.ModelAdmin, Any], str]:
    """A list column (a model admin's method) showing integer cents as the page's language
    writes euros."""

    @admin.display(description=description, ordering=field)
    def column(model_admin: admin.ModelAdmin, obj: Any) -> str:
        return formats.money(getattr(obj, field))

    return column


class PaymentEventInline(admin.TabularInline):
    model = PaymentEvent
    extra = 0
    can_delete = False
    fields = ("received_at", "provider_name", "kind", "outcome", "payload")
    readonly_fields = fields

    @admin.display(description=_("provider"))
    def provider_name(self, obj: PaymentEvent) -> str:
        return providers.label_of(obj.provider)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(RoleScopedAdmin):
    district_permissions = VIEW
    municipal_permissions = VIEW
    list_display = (
        "creditor_reference",
        "payable",
        "provider_name",
        "status",
        "amount",
        "payee_municipality",
        "created_at",
        "paid_at",
    )
    list_filter = (ProviderFilter, "status")
    # The Kassenzeichen is the payable's reference (a case reference) until an HKR issues one.
    search_fields = ("creditor_reference", "kassenzeichen", "merchant_tx_id", "receipt_number")
    list_select_related = ("payable", "payee_municipality")
    # The change page names the provider ("Überweisung mit GiroCode"), its key is for machines.
    fields = readonly_fields = [
        "provider_name" if field.name == "provider" else field.name
        for field in Payment._meta.fields
    ]
    inlines = [PaymentEventInline]
    amount = amount_column("amount_cents", _("Amount"))

    @admin.display(description=_("provider"), ordering="provider")
    def provider_name(self, obj: Payment) -> str:
        return obj.provider_label

    @property
    def municipality_lookups(self) -> tuple[str, ...]:  # type: ignore[override]
        """The payee, and whoever the payable lets read its payments."""
        extra = payables.adapter().municipality_lookups
        return ("payee_municipality", *(f"payable__{lookup}" for lookup in extra))

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(StatementImport)
class StatementImportAdmin(RoleScopedAdmin):
    district_permissions = VIEW
    municipal_permissions = VIEW
    list_display = (
        "uploaded_at",
        "municipality",
        "iban",
        "kind",
        "matched",
        "unmatched",
        "duplicates",
    )
    readonly_fields = [field.name for field in StatementImport._meta.fields]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(StatementLine)
class StatementLineAdmin(RoleScopedAdmin):
    district_permissions = VIEW
    municipal_permissions = VIEW
    municipality_lookups = ("statement__municipality",)
    list_display = ("iban", "bank_reference", "amount", "credit", "outcome", "payment")
    amount = amount_column("amount_cents", _("Amount"))
    list_filter = ("outcome", "credit")
    readonly_fields = [field.name for field in StatementLine._meta.fields]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Refund)
class RefundAdmin(RoleScopedAdmin):
    district_permissions = VIEW
    municipal_permissions = VIEW
    municipality_lookups = ("payment__payee_municipality",)
    list_display = (
        "payment",
        "kind",
        "amount",
        "status",
        "creditor_name",
        "requested_at",
        "exported_at",
    )
    list_filter = ("status", "kind")
    readonly_fields = [field.name for field in Refund._meta.fields]
    amount = amount_column("amount_cents", _("Amount"))
    actions = ["export_pain001"]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description=_("Export selected open refunds as a SEPA transfer file (pain.001)"))
    def export_pain001(
        self, request: HttpRequest, queryset: QuerySet[Refund]
    ) -> HttpResponse | None:
        towns = {
            refund.payment.payee_municipality
            for refund in queryset.select_related("payment__payee_municipality")
        }
        if len(towns) != 1:
            self.message_user(request, _("Select the refunds of one town."), messages.ERROR)
            return None
        town = towns.pop()
        export = refunds_export(
            municipality=town,
            refund_ids=list(queryset.values_list("pk", flat=True)),
            user=request.user,
        )
        if export is None:
            self.message_user(request, _("None of the selected refunds is open."), messages.WARNING)
            return None
        return export_download(export)
