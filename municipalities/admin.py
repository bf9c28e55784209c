from django import forms
from django.contrib import admin

from municipalities.models import Delegation, Membership, Municipality
from municipalities.services import delegation_validate


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "ags", "code", "payee_name", "iban"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "ags"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "municipality", "role"]
    list_filter = ["role", "municipality"]
    search_fields = ["user__username", "municipality__name"]
    autocomplete_fields = ["user", "municipality"]


class DelegationForm(forms.ModelForm):
    class Meta:
        model = Delegation
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        needed = ("service_key", "from_municipality", "to_municipality", "valid_from")
        if all(cleaned.get(name) for name in needed):
            delegation_validate(
                service_key=cleaned["service_key"],
                from_municipality=cleaned["from_municipality"],
                to_municipality=cleaned["to_municipality"],
                valid_from=cleaned["valid_from"],
                valid_until=cleaned.get("valid_until"),
                exclude_id=self.instance.pk,
            )
        return cleaned


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    form = DelegationForm
    list_display = ["service_key", "from_municipality", "to_municipality", "valid_from", "valid_until"]
    list_filter = ["service_key", "to_municipality"]
