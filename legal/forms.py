"""The accessibility statement's feedback form."""

from django import forms
from django.utils.translation import gettext_lazy as _


class FeedbackForm(forms.Form):
    message = forms.CharField(
        label=_("Your message"),
        max_length=5000,
        widget=forms.Textarea,
        help_text=_("Which barrier did you meet, and where?"),
        error_messages={"required": _("Describe the barrier you met.")},
    )
    page = forms.CharField(
        label=_("Page concerned"),
        max_length=500,
        required=False,
        help_text=_("The address or title of the page, if you know it."),
    )
    name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        required=False,
        help_text=_("Only if you would like an answer."),
        error_messages={"invalid": _("Enter an e-mail address such as name@example.org.")},
    )
