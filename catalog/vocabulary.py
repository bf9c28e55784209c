"""The automatic process steps a service definition may list (`process_steps`). The catalog
refuses any other name; cases/steps.py says when each one runs and cases/process.py what it
does (docs/architecture.md, The process-step engine). Also the trust levels a service may
require and the verified attributes a form field may take (docs/identity.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

PROCESS_STEPS: tuple[str, ...] = (
    "send_receipt",
    "notify_authority",
    "check_completeness",
    "request_payment",
    "issue_document",
    "notify_applicant",
    "forward_to_agency",
)


class TrustLevel(models.TextChoices):
    """How surely a service's applicants must be identified (BundID's trust levels). The
    identity app compares levels (identity.levels.satisfies); the catalog only states which
    one a service needs, in the same words (tests/catalog/test_trust_level.py keeps both
    vocabularies equal)."""

    NONE = "none", _("none (anonymous)")
    LOW = "low", _("low")
    SUBSTANTIAL = "substantial", _("substantial")
    HIGH = "high", _("high")


# What a form field may take from a signed-in citizen's verified identity (the field's
# `verified` key) and the field type it needs: birth dates go into date fields, the rest
# into text fields (docs/identity.md, Verified data).
VERIFIED_ATTRIBUTES: dict[str, str] = {
    "family_name": "text",
    "given_name": "text",
    "birth_date": "date",
    "street_name": "text",
    "house_number": "text",
    "postal_code": "text",
    "locality": "text",
}
