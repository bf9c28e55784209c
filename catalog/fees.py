"""Fees in integer cents: free, fixed, or per unit of an integer field of the form."""

from typing import Any

from catalog.models import ServiceDefinition
from catalog.selectors import Offer

FeeKind = ServiceDefinition.FeeKind


def fee_for(offer: Offer, data: dict[str, Any]) -> int:
    """The fee in cents for the answers `data` (already validated)."""
    service = offer.service
    unit = offer.unit_fee_cents
    if service.fee_kind == FeeKind.PER_UNIT:
        return unit * int(data.get(service.fee.get("field"), 0) or 0)
    return unit
