"""The replay store: every assertion the portal accepted, until it would have expired anyway."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsumedAssertion(models.Model):
    """An assertion id the assertion consumer has used. The primary key makes the second
    use of the same id fail in the database, whichever worker sees it."""

    assertion_id = models.CharField(_("assertion id"), max_length=256, primary_key=True)
    issuer = models.CharField(_("issuer"), max_length=1024)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("consumed assertion")
        verbose_name_plural = _("consumed assertions")

    def __str__(self) -> str:
        return self.assertion_id
