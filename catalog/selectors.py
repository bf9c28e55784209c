"""Reads of the catalog: which services a municipality offers today, at what fee, and who
processes them (a delegation on the day, else the town itself)."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from django.db import connection
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from catalog.models import ServiceDefinition, ServiceOffering
from core.errors import NotFound
from municipalities.models import Municipality
from municipalities.selectors import delegations_in_force


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


def _offer_query(*, municipality_id: int, service_key: str, on: datetime.date) -> QuerySet:
    """The newest published version of `service_key`, with `municipality_id`'s offering
    and the delegation in force on `on` as subqueries."""
    offering = ServiceOffering.objects.filter(
        municipality_id=municipality_id, service_key=OuterRef("key"), active=True
    ).order_by()  # one row per town and key: the model's ordering would join the towns
    delegation = delegations_in_force(municipality=Municipality(pk=municipality_id), on=on).filter(
        service_key=OuterRef("key")
    )
    return (
        ServiceDefinition.objects.filter(key=service_key, status=ServiceDefinition.Status.PUBLISHED)
        .annotate(
            offering_pk=Subquery(offering.values("pk")[:1]),
            offering_fee_override=Subquery(offering.values("fee_override_cents")[:1]),
            authority_pk=Subquery(delegation.values("to_municipality_id")[:1]),
        )
        .order_by("-version")[:1]
    )


# Placeholders the compiled query's parameters are recognised by (never real values).
_PLACEHOLDERS = {"municipality": -7_301_457, "key": "-offer-key-", "on": datetime.date(1901, 2, 3)}


@functools.cache
def _offer_sql(vendor: str) -> tuple[str, tuple[tuple[str | None, object], ...]]:
    """`_offer_query` compiled once per process: building and compiling its three
    subqueries cost more than the query itself (bench/profile_costs.py). The SQL with, per
    parameter, the placeholder's name or (None, the constant)."""
    sql, params = _offer_query(
        municipality_id=_PLACEHOLDERS["municipality"],
        service_key=_PLACEHOLDERS["key"],
        on=_PLACEHOLDERS["on"],
    ).query.sql_with_params()
    by_text = {str(value): name for name, value in _PLACEHOLDERS.items()}
    return sql, tuple((by_text.get(str(p)), p) for p in params)


def offer_for(
    municipality: Municipality, service_key: str, *, on: datetime.date | None = None
) -> Offer:
    """The offer of one service in one municipality; NotFound if it is not offered.

    One query (a submission's first), compiled once per process (`_offer_sql`); a delegated
    case's authority is read after it."""
    on = on or timezone.localdate()
    sql, slots = _offer_sql(connection.vendor)
    values = {
        "municipality": municipality.pk,
        "key": service_key,
        "on": connection.ops.adapt_datefield_value(on),
    }
    params = [values[name] if name else constant for name, constant in slots]
    service = next(iter(ServiceDefinition.objects.raw(sql, params)), None)
    if service is None or service.offering_pk is None:
        raise NotFound("service not offered")
    authority_pk = service.authority_pk
    return Offer(
        municipality=municipality,
        offering=ServiceOffering(
            pk=service.offering_pk,
            municipality=municipality,
            service_key=service_key,
            active=True,
            fee_override_cents=service.offering_fee_override,
        ),
        service=service,
        processing_authority=Municipality.objects.get(pk=authority_pk)
        if authority_pk is not None
        else municipality,
    )


def newest_definition(service_key: str) -> ServiceDefinition | None:
    """The newest version of a service, draft or published (the district's fee bounds)."""
    return ServiceDefinition.objects.filter(key=service_key).order_by("-version").first()


def service_keys() -> list[str]:
    """Every service key the catalog knows, sorted."""
    return list(ServiceDefinition.objects.order_by("key").values_list("key", flat=True).distinct())
