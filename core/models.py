"""Records of the shared machinery: the audit trail of admin changes and system jobs."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.purge import personal_data


class AuditEntry(models.Model):
    """One change made through the admin (or by a system job such as the retention purge).

    Append-only: rows are created, never updated or deleted (the admin offers no change or
    delete, and `save` refuses an update)."""

    class Action(models.TextChoices):
        ADD = "add", _("Added")
        CHANGE = "change", _("Changed")
        DELETE = "delete", _("Deleted")
        PUBLISH = "publish", _("Published")
        EXPORT = "export", _("Exported")
        PURGE = "purge", _("Purged personal data")
        SEARCH = "search", _("Searched personal data")
        REFUSE = "refuse", _("Refused by the virus check")
        QUARANTINE = "quarantine", _("Quarantined by the virus check")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    # Kept beside the foreign key so the trail still names a user that was deleted later.
    actor_label = models.CharField(_("who"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    # The town the object belongs to, so municipal admins see the trail of their own town.
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        # The table keeps the name it had when the trail lived in the `portal` app.
        db_table = "portal_auditentry"
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs) -> None:
        # Why a guard in save: an audit trail that can be edited proves nothing.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("audit entries are append-only")
        super().save(*args, **kwargs)


# An entry about a purged row may quote its values: each app's purge hook redacts the
# entries about its own rows (core.audit.audit_redact).
personal_data(AuditEntry, "changes", "object_repr")
