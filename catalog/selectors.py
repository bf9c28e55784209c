"""Reads of the catalog: which services a municipality offers today, at what fee, and who
processes them (a delegation on the day, else the town itself)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from catalog.models import ServiceDefinition, ServiceOffering
from core.errors import NotFound
from municipalities.models import Municipality
from municipalities.selectors import active_delegation


def published_service(key: str) -> ServiceDefinition | None:
    """The newest published version of a service."""
    return (
        ServiceDefinition.objects.filter(key=key, status=ServiceDefinition.Status.PUBLISHED)
        .order_by("-version")
        .first()
    )


@dataclass(frozen=True)
class Offer:
    """What a municipality offers: the service version in force, its fee and its router."""

    municipality: Municipality
    offering: ServiceOffering
    service: ServiceDefinition
    processing_authority: Municipality

    @property
    def unit_fee_cents(self) -> int:
        if self.service.fee_kind == ServiceDefinition.FeeKind.FREE:
            return 0
        if self.offering.fee_override_cents is not None:
            return self.offering.fee_override_cents
        return self.service.base_fee_cents


def offers_for(municipality: Municipality, *, on: datetime.date | None = None) -> list[Offer]:
    """Every service the municipality offers today, each with its processing authority."""
    on = on or timezone.localdate()
    offerings = {
        o.service_key: o
        for o in ServiceOffering.objects.filter(municipality=municipality, active=True)
    }
    latest: dict[str, ServiceDefinition] = {}
    for service in ServiceDefinition.objects.filter(
        key__in=offerings, status=ServiceDefinition.Status.PUBLISHED
    ).order_by("key", "-version"):
        latest.setdefault(service.key, service)
    delegations = {
        d.service_key: d.to_municipality
        for d in municipality.delegations_out.select_related("to_municipality")
        .filter(valid_from__lte=on)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .order_by("valid_from")
    }
    offers = [
        Offer(
            municipality=municipality,
            offering=offerings[key],
            service=service,
            processing_authority=delegations.get(key, municipality),
        )
        for key, service in latest.items()
    ]
    return sorted(offers, key=lambda o: o.service.display_name.lower())


def offer_for(
    municipality: Municipality, service_key: str, *, on: datetime.date | None = None
) -> Offer:
    """The offer of one service in one municipality; NotFound if it is not offered."""
    on = on or timezone.localdate()
    offering = ServiceOffering.objects.filter(
        municipality=municipality, service_key=service_key, active=True
    ).first()
    service = published_service(service_key) if offering else None
    if offering is None or service is None:
        raise NotFound("service not offered")
    delegation = active_delegation(service_key=service_key, municipality=municipality, on=on)
    return Offer(
        municipality=municipality,
        offering=offering,
        service=service,
        processing_authority=delegation.to_municipality if delegation else municipality,
    )


def newest_definition(service_key: str) -> ServiceDefinition | None:
    """The newest version of a service, draft or published (the district's fee bounds)."""
    return ServiceDefinition.objects.filter(key=service_key).order_by("-version").first()


def service_keys() -> list[str]:
    """Every service key the catalog knows, sorted."""
    return list(ServiceDefinition.objects.order_by("key").values_list("key", flat=True).distinct())
