"""A municipality's legal information (docs/legal.md). Texts are by language,
{"de": "…", "en": "…"}, written in Markdown (rendered without raw HTML)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.purge import personal_data
from municipalities.models import Municipality

TEXTS_HELP = _('By language: {"de": "…", "en": "…"}; Markdown.')


class LegalProfile(models.Model):
    """What a municipality publishes as operator of its pages and prints on its letters.
    A town without a profile, or without one of its texts, shows the district's."""

    class Compliance(models.TextChoices):
        FULL = "full", _("fully compliant")
        PARTIAL = "partial", _("partially compliant")
        NONE = "none", _("not compliant")

    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        related_name="legal_profile",
        verbose_name=_("municipality"),
    )
    address = models.TextField(
        _("postal address"), blank=True, help_text=_("One line per line; the letterhead.")
    )
    department = models.CharField(
        _("department on letters"), max_length=120, blank=True, help_text=_("e.g. Bürgerbüro")
    )
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    email = models.EmailField(_("public e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    imprint = models.JSONField(_("imprint"), default=dict, blank=True, help_text=TEXTS_HELP)
    privacy = models.JSONField(
        _("privacy notice"),
        default=dict,
        blank=True,
        help_text=_(
            "Controller, data protection officer, rights of data subjects, supervisory "
            "authority. The services with purpose, legal basis, retention and recipients are "
            "added from the catalog."
        ),
    )
    accessibility_status = models.CharField(
        _("status of compliance (BITV 2.0)"),
        max_length=10,
        choices=Compliance.choices,
        blank=True,
    )
    accessibility_barriers = models.JSONField(
        _("known barriers"), default=dict, blank=True, help_text=TEXTS_HELP
    )
    accessibility_assessed_on = models.DateField(_("date of the assessment"), null=True, blank=True)
    accessibility_method = models.JSONField(
        _("method of the assessment"), default=dict, blank=True, help_text=TEXTS_HELP
    )
    enforcement = models.JSONField(
        _("enforcement procedure"),
        default=dict,
        blank=True,
        help_text=_("The enforcement body's contact (BITV 2.0 § 7), by language; Markdown."),
    )
    feedback_email = models.EmailField(
        _("address for accessibility feedback"),
        blank=True,
        help_text=_("Empty: the public e-mail, else the municipality's contact e-mail."),
    )
    legal_remedy = models.JSONField(
        _("default Rechtsbehelfsbelehrung"),
        default=dict,
        blank=True,
        help_text=_(
            "For Bescheide of services without their own, by language. The district's is the "
            "default of every town."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("legal information")
        verbose_name_plural = _("legal information")

    def __str__(self) -> str:
        return str(self.municipality)


class AccessibilityFeedback(models.Model):
    """A message sent through the accessibility statement's feedback form."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="accessibility_feedback",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    page = models.CharField(_("page concerned"), max_length=500, blank=True)
    message = models.TextField(_("message"))
    language = models.CharField(_("language"), max_length=5, default="de")
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    forwarded_to = models.EmailField(_("forwarded to"), blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("accessibility feedback")
        verbose_name_plural = _("accessibility feedback")

    def __str__(self) -> str:
        return f"{self.municipality} · {self.received_at:%Y-%m-%d %H:%M}"


# What a purge must erase (core/purge.py; legal/purge.py erases it).
personal_data(AccessibilityFeedback, "name", "email", "message")
