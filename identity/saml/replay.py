"""One use per assertion (SAML 2.0 Profiles 4.1.4.5: the relying party must keep the ids of
used assertions for as long as they are valid and refuse them a second time)."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from identity.models import ConsumedAssertion


def consume(assertion_id: str, issuer: str, valid_until: datetime.datetime) -> bool:
    """Record the assertion as used; False when it had been used before. Rows past their
    validity are removed on the way (they could not be replayed anyway)."""
    now = timezone.now()
    ConsumedAssertion.objects.filter(expires_at__lt=now).delete()
    try:
        with transaction.atomic():
            ConsumedAssertion.objects.create(
                assertion_id=assertion_id, issuer=issuer, expires_at=max(valid_until, now)
            )
    except IntegrityError:
        return False
    return True
