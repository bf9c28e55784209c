"""The shared catalog: district-wide service definitions (versioned, immutable once
published) and which municipality offers which service.

The tables keep the names they had in the `services` app this catalog was split from."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.vocabulary import TrustLevel
from core.i18n import translated
from municipalities.models import Municipality


class ServiceDefinition(models.Model):
    """One version of a district-wide service. Published versions are immutable;
    a case keeps the version it was filed under."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class OfferedBy(models.TextChoices):
        TOWNS = "towns", _("Towns")
        DISTRICT = "district", _("District")

    class FeeKind(models.TextChoices):
        """The `kind` of the fee rule (`fee` JSON); catalog/fees.py computes fees."""

        FREE = "free", _("free")
        FIXED = "fixed", _("fixed")
        PER_UNIT = "per_unit", _("per unit")

    key = models.SlugField(_("key"), max_length=80)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    leika = models.CharField(_("LeiKa key"), max_length=20, blank=True)
    name = models.JSONField(_("name"), help_text='{"de": "…", "en": "…"}')
    description = models.JSONField(_("description"), default=dict, blank=True)
    synonyms = models.JSONField(
        _("synonyms"),
        default=list,
        blank=True,
        help_text=_(
            'Other words residents search for, e.g. ["Ummeldung", "Umzug"] '
            "(the service search finds them like the name)."
        ),
    )
    offered_by = models.CharField(
        _("offered by"), max_length=10, choices=OfferedBy.choices, default=OfferedBy.TOWNS
    )
    form = models.JSONField(_("form"), help_text='{"steps": [{"title": …, "fields": […]}]}')
    fee = models.JSONField(
        _("fee rule"),
        default=dict,
        help_text='{"kind": "free"} | {"kind": "fixed", "cents": 900} | '
        '{"kind": "per_unit", "field": "anzahl", "cents": 1000}',
    )
    fee_min_cents = models.PositiveIntegerField(_("lowest fee a town may set"), default=0)
    fee_max_cents = models.PositiveIntegerField(_("highest fee a town may set"), default=0)
    prepay = models.BooleanField(_("fee paid before review"), default=False)
    sla_days = models.PositiveIntegerField(_("SLA in working days"), default=10)
    retention_days = models.PositiveIntegerField(_("retention in days"), default=90)
    process_steps = models.JSONField(_("automatic process steps"), default=list, blank=True)
    agency_email = models.EmailField(_("agency address for forwarding"), blank=True)
    privacy = models.JSONField(
        _("privacy information"),
        default=dict,
        blank=True,
        help_text='{"purpose": {"de": "…", "en": "…"}, "legal_basis": {…}, "recipients": {…}} '
        "— the privacy notice of every town offering the service lists them (GDPR Art. 13).",
    )
    legal_remedy = models.JSONField(
        _("Rechtsbehelfsbelehrung"),
        default=dict,
        blank=True,
        help_text='{"de": "…", "en": "…"} — printed on every Bescheid of the service; '
        "empty: the district's default.",
    )
    trust_level = models.CharField(
        _("trust level"),
        max_length=12,
        choices=TrustLevel.choices,
        default=TrustLevel.NONE,
        help_text=_(
            "How surely applicants must be identified (BundID): none (anonymous), low "
            "(user name and password), substantial (ELSTER certificate), high (online ID card)."
        ),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        db_table = "services_servicedefinition"
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="service_key_version_unique")
        ]
        verbose_name = _("service definition")
        verbose_name_plural = _("service definitions")

    def __str__(self) -> str:
        return f"{translated(self.name)} (v{self.version})"

    @property
    def display_name(self) -> str:
        return translated(self.name)

    @property
    def display_description(self) -> str:
        return translated(self.description)

    @property
    def fee_kind(self) -> str:
        return self.fee.get("kind", self.FeeKind.FREE)

    @property
    def base_fee_cents(self) -> int:
        return int(self.fee.get("cents", 0))


class ServiceOffering(models.Model):
    """A municipality offers a service (by key; cases use the newest published version)."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="offerings",
        verbose_name=_("municipality"),
    )
    service_key = models.SlugField(_("service"), max_length=80)
    active = models.BooleanField(_("offered"), default=True)
    fee_override_cents = models.PositiveIntegerField(
        _("fee override in cents"),
        null=True,
        blank=True,
        help_text=_("Within the bounds the district set for the service."),
    )

    class Meta:
        db_table = "services_serviceoffering"
        ordering = ["municipality__name", "service_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "service_key"], name="offering_unique_per_town"
            )
        ]
        verbose_name = _("service offering")
        verbose_name_plural = _("service offerings")

    def __str__(self) -> str:
        return f"{self.municipality} · {self.service_key}"
