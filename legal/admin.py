"""Admin of the legal information: each municipal admin edits their town's profile, the
district admin the district's and every town's; feedback is read where it was sent to
(core/admin_scoping.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_scoping import VIEW, RoleScopedAdmin
from legal.models import AccessibilityFeedback, LegalProfile
from legal.selectors import TEXT_FIELDS

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def _text_field_name(field: str, language: str) -> str:
    return f"{field}__{language}"


#: The profile's texts, by language, as one text area each instead of a JSON object.
TEXTS = [*TEXT_FIELDS, "legal_remedy"]


def _text_fields() -> dict[str, forms.Field]:
    fields = {}
    for field in TEXTS:
        label = LegalProfile._meta.get_field(field).verbose_name
        for language in LANGUAGES:
            fields[_text_field_name(field, language)] = forms.CharField(
                label=f"{label} ({language})",
                required=False,
                widget=forms.Textarea(attrs={"rows": 10, "cols": 100}),
                help_text=_("Plain text; a blank line separates paragraphs.")
                if field == "legal_remedy"
                else _("Markdown: ## heading, blank line between paragraphs, - list."),
            )
    return fields


class _ProfileForm(forms.ModelForm):
    website = forms.URLField(
        label=LegalProfile._meta.get_field("website").verbose_name,
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = LegalProfile
        fields = [
            "municipality",
            "address",
            "department",
            "phone",
            "email",
            "website",
            "accessibility_status",
            "accessibility_assessed_on",
            "feedback_email",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in TEXTS:
            stored = getattr(self.instance, field) or {}
            for language in LANGUAGES:
                self.initial.setdefault(_text_field_name(field, language), stored.get(language, ""))

    def save(self, commit: bool = True) -> LegalProfile:
        profile = super().save(commit=False)
        for field in TEXTS:
            values = {
                language: self.cleaned_data.get(_text_field_name(field, language), "").strip()
                for language in LANGUAGES
            }
            setattr(profile, field, {k: v for k, v in values.items() if v})
        if commit:
            profile.save()
        return profile


LegalProfileForm = type("LegalProfileForm", (_ProfileForm,), _text_fields())


@admin.register(LegalProfile)
class LegalProfileAdmin(RoleScopedAdmin):
    form = LegalProfileForm
    district_permissions = frozenset({"view", "add", "change"})
    municipal_permissions = frozenset({"view", "add", "change"})
    municipality_lookups = ("municipality",)
    list_display = [
        "municipality",
        "accessibility_status",
        "accessibility_assessed_on",
        "updated_at",
    ]
    list_select_related = ["municipality"]


@admin.register(AccessibilityFeedback)
class AccessibilityFeedbackAdmin(RoleScopedAdmin):
    district_permissions = VIEW | {"delete"}
    municipal_permissions = VIEW | {"delete"}
    municipality_lookups = ("municipality",)
    list_display = ["received_at", "municipality", "name", "email", "page"]
    list_select_related = ["municipality"]
    readonly_fields = [
        "municipality",
        "received_at",
        "name",
        "email",
        "page",
        "message",
        "language",
        "forwarded_to",
    ]
