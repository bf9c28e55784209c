"""Writes of tenants, roles and delegations."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from municipalities.models import Delegation, Municipality
from municipalities.selectors import overlapping_delegations


def delegation_validate(
    *,
    service_key: str,
    from_municipality: Municipality,
    to_municipality: Municipality,
    valid_from: datetime.date,
    valid_until: datetime.date | None,
    exclude_id: int | None = None,
) -> None:
    """Raise ValidationError when the delegation is not allowed: to itself, dates reversed,
    or overlapping another delegation of the same service and filing town."""
    if from_municipality.pk == to_municipality.pk:
        raise ValidationError({"to_municipality": _("A municipality cannot delegate to itself.")})
    if valid_until is not None and valid_until < valid_from:
        raise ValidationError({"valid_until": _("The end date lies before the start date.")})
    conflict = overlapping_delegations(
        service_key=service_key,
        from_municipality=from_municipality,
        valid_from=valid_from,
        valid_until=valid_until,
        exclude_id=exclude_id,
    ).first()
    if conflict is not None:
        raise ValidationError(
            {
                "valid_from": _(
                    "Overlaps the existing delegation to %(to)s valid %(start)s–%(end)s."
                )
                % {
                    "to": conflict.to_municipality.name,
                    "start": conflict.valid_from.isoformat(),
                    "end": conflict.valid_until.isoformat() if conflict.valid_until else "…",
                }
            }
        )


@transaction.atomic
def delegation_create(
    *,
    service_key: str,
    from_municipality: Municipality,
    to_municipality: Municipality,
    valid_from: datetime.date,
    valid_until: datetime.date | None = None,
    basis: str = "",
) -> Delegation:
    # Lock the filing town so two concurrent creations cannot both pass the overlap check.
    Municipality.objects.select_for_update().get(pk=from_municipality.pk)
    delegation_validate(
        service_key=service_key,
        from_municipality=from_municipality,
        to_municipality=to_municipality,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    return Delegation.objects.create(
        service_key=service_key,
        from_municipality=from_municipality,
        to_municipality=to_municipality,
        valid_from=valid_from,
        valid_until=valid_until,
        basis=basis,
    )
