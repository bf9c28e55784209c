"""Admin of tenants, roles and delegations, scoped by role (core/admin_scoping.py).

District admins: every municipality of their district, memberships, delegations.
Municipal admins: their own town's payee data and payment providers, its memberships
(clerks and municipal admins), and a read-only view of delegations that concern it.

These pages live here, not in `municipalities`, because that app imports no other portal
app, while its admin needs the scoped admin (core), the catalog's service keys and the
payment providers' names (docs/architecture.md, The layout)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy

from catalog.selectors import service_keys
from core import rls
from core.admin_scoping import ALL, VIEW, RoleScopedAdmin, admin_scope
from municipalities.models import Delegation, Membership, Municipality
from municipalities.services import delegation_validate
from payments import providers


def service_key_choices() -> list[tuple[str, str]]:
    return [("", "---------")] + [(key, key) for key in service_keys()]


class MunicipalityForm(forms.ModelForm):
    payment_providers = forms.MultipleChoiceField(
        label=gettext_lazy("payment providers offered"),
        choices=providers.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Municipality
        fields = [
            "slug",
            "name",
            "ags",
            "kind",
            "code",
            "parent",
            "population",
            "payee_name",
            "iban",
            "bic",
            "email",
            "payment_providers",
        ]

    def clean_iban(self) -> str:
        return (self.cleaned_data.get("iban") or "").replace(" ", "").upper()

    def clean_bic(self) -> str:
        return (self.cleaned_data.get("bic") or "").replace(" ", "").upper()


@admin.register(Municipality)
class MunicipalityAdmin(RoleScopedAdmin):
    form = MunicipalityForm
    district_permissions = frozenset({"view", "add", "change"})
    municipal_permissions = frozenset({"view", "change"})
    municipality_lookups = ("pk",)
    list_display = ["name", "slug", "kind", "ags", "code", "payee_name", "iban"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "ags"]

    def municipality_of(self, obj: Municipality) -> int | None:
        return obj.pk

    def get_readonly_fields(self, request, obj=None):
        if admin_scope(request).municipal_admin:
            # The district decides who a town is; the town decides how it is paid.
            return ["slug", "name", "ags", "kind", "code", "parent", "population"]
        return []


class MembershipForm(forms.ModelForm):
    # A user name instead of a list of every user of the district (nobody browses users of
    # other towns through this form).
    user = forms.ModelChoiceField(
        label=gettext_lazy("user name"),
        queryset=get_user_model().objects.all(),
        to_field_name="username",
        widget=forms.TextInput,
        error_messages={"invalid_choice": gettext_lazy("There is no user with this name.")},
    )

    class Meta:
        model = Membership
        fields = ["user", "municipality", "role"]


@admin.register(Membership)
class MembershipAdmin(RoleScopedAdmin):
    form = MembershipForm
    district_permissions = ALL
    municipal_permissions = ALL
    municipality_lookups = ("municipality",)
    list_display = ["user", "municipality", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "municipality__name"]
    list_select_related = ["user", "municipality"]

    def get_list_filter(self, request):
        if admin_scope(request).municipal_admin:
            return ["role"]
        return ["role", "municipality"]

    def get_form(self, request, obj=None, **kwargs):
        """The user name is looked up among the people the admin may know: members of the
        towns in their reach, and accounts not yet in any town (new staff). Anyone else is
        "no user with this name", like a name nobody has, so the form tells a town admin
        nothing about the users of other towns (issue 12)."""
        form = super().get_form(request, obj, **kwargs)
        reach = admin_scope(request).reach
        if reach is None:  # superusers
            return form
        # Who is in any town at all is a system read: under row-level security the admin's
        # own connection sees only their towns' memberships, so everyone else would look new.
        with rls.scoped(rls.ALL):
            placed = list(Membership.objects.values_list("user_id", flat=True).distinct())
        candidates = (
            get_user_model()
            .objects.filter(
                Q(memberships__municipality_id__in=reach)
                | (~Q(pk__in=placed) & Q(is_superuser=False))
            )
            .distinct()
        )

        class ScopedMembershipForm(form):
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, **kw)
                self.fields["user"].queryset = candidates

        return ScopedMembershipForm

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not (
            admin_scope(request).superuser or admin_scope(request).district_admin
        ):
            kwargs["choices"] = [
                (value, label)
                for value, label in Membership.Role.choices
                if value != Membership.Role.DISTRICT_ADMIN
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj: Membership, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # Admin roles work in the Django admin, which needs the staff flag.
        if obj.role != Membership.Role.CLERK and not obj.user.is_staff:
            obj.user.is_staff = True
            obj.user.save(update_fields=["is_staff"])


class DelegationForm(forms.ModelForm):
    service_key = forms.ChoiceField(label=gettext_lazy("service"), choices=service_key_choices)

    class Meta:
        model = Delegation
        fields = [
            "service_key",
            "from_municipality",
            "to_municipality",
            "valid_from",
            "valid_until",
            "basis",
        ]

    def clean(self) -> dict[str, Any]:
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
class DelegationAdmin(RoleScopedAdmin):
    form = DelegationForm
    district_permissions = ALL
    # A town sees the agreements that concern it, changes none of them.
    municipal_permissions = VIEW
    municipality_lookups = ("from_municipality", "to_municipality")
    list_display = [
        "service_key",
        "from_municipality",
        "to_municipality",
        "valid_from",
        "valid_until",
    ]
    list_filter = ["service_key"]
    list_select_related = ["from_municipality", "to_municipality"]

    def municipality_of(self, obj: Delegation) -> int | None:
        return obj.from_municipality_id
