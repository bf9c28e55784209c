from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from municipalities.validators import validate_bic, validate_iban


class Municipality(models.Model):
    """The tenant: a town or the district itself."""

    class Kind(models.TextChoices):
        TOWN = "town", _("Town")
        DISTRICT = "district", _("District")

    slug = models.SlugField(unique=True, verbose_name=_("short name (web address)"))
    name = models.CharField(_("name"), max_length=120)
    ags = models.CharField(
        _("official municipal key (AGS)"),
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^\d{8}$", _("The AGS has exactly eight digits."))],
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    code = models.CharField(
        _("reference code"),
        max_length=3,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Three capital letters."))],
        help_text=_("Starts every case reference, e.g. BKM-2026-7KQ4M2."),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="towns",
        verbose_name=_("district"),
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    payee_name = models.CharField(_("payee name"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validate_bic])
    email = models.EmailField(_("contact e-mail"), blank=True)
    payment_providers = models.JSONField(
        _("payment providers offered"),
        default=list,
        blank=True,
        help_text=_("Provider keys citizens may choose, e.g. girocode, girocheckout, counter."),
    )

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name

    @property
    def district(self) -> "Municipality":
        return self if self.kind == self.Kind.DISTRICT else (self.parent or self)


class Membership(models.Model):
    """A user's role in one municipality. A user may hold several."""

    class Role(models.TextChoices):
        CLERK = "clerk", _("Clerk")
        MUNICIPAL_ADMIN = "municipal_admin", _("Municipal admin")
        DISTRICT_ADMIN = "district_admin", _("District admin")
        # The district's data protection role (GDPR Art. 15 and 17 requests): a membership
        # of the district, reaching its towns' cases for one person at a time (/district/privacy/).
        PRIVACY_OFFICER = "privacy_officer", _("Data protection officer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("municipality"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality", "role"], name="membership_unique_role"
            )
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.municipality}"


class Delegation(models.Model):
    """An IKZ agreement: `from_municipality`'s cases of one service are processed by
    `to_municipality` from `valid_from` until `valid_until` (inclusive; open-ended if empty)."""

    service_key = models.SlugField(_("service"), max_length=80)
    from_municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="delegations_out",
        verbose_name=_("filing municipality"),
    )
    to_municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="delegations_in",
        verbose_name=_("processing authority"),
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    basis = models.TextField(_("legal basis"), blank=True)

    class Meta:
        ordering = ["service_key", "from_municipality__name", "valid_from"]
        indexes = [models.Index(fields=["service_key", "from_municipality", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_municipality=models.F("to_municipality")),
                name="delegation_not_to_itself",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="delegation_dates_ordered",
            ),
        ]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")

    def __str__(self) -> str:
        until = self.valid_until or "…"
        return (
            f"{self.service_key}: {self.from_municipality} → {self.to_municipality} "
            f"({self.valid_from}–{until})"
        )
