"""A FIM XDatenfelder schema as a new draft (or published version) of a service: the
converter (catalog/fim/) turns the file into a definition and a report, this writes it
through the catalog's own import, all or nothing (docs/fim.md). Used by the `fim_import`
command and the designer's import page."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from catalog.fim import FimReport, import_fim
from catalog.models import ServiceDefinition, ServiceOffering
from catalog.services import services_import
from core.errors import Conflict, Invalid
from municipalities.models import Municipality


def offer_towns(offer: str) -> list[Municipality]:
    """The towns `--offer` names: "all" or slugs joined by commas; Invalid for an unknown
    one (nothing is written then)."""
    towns = Municipality.objects.filter(kind=Municipality.Kind.TOWN)
    if offer.strip() == "all":
        return list(towns)
    slugs = [s.strip() for s in offer.split(",") if s.strip()]
    found = {m.slug: m for m in towns.filter(slug__in=slugs)}
    unknown = [s for s in slugs if s not in found]
    if unknown:
        raise Invalid(f"no town {', '.join(unknown)}")
    return [found[s] for s in slugs]


def fim_service_import(
    *,
    data: bytes,
    key: str,
    publish: bool = False,
    offer: str = "",
    actor: AbstractBaseUser | None = None,
    source: str = "fim_import",
) -> tuple[ServiceDefinition, FimReport]:
    """Convert and import one schema as the next version of service `key` (a draft unless
    `publish`), offered in the towns `offer` names. FimImportError for a file that cannot be
    converted, Conflict when the service has a draft already, Invalid for an unknown town:
    in every case nothing is written."""
    result = import_fim(data, key=key)
    with transaction.atomic():
        if ServiceDefinition.objects.filter(
            key=key, status=ServiceDefinition.Status.DRAFT
        ).exists():
            raise Conflict(f"{key} has a draft already; publish or delete it first.")
        towns = offer_towns(offer) if offer else []
        [(definition, _created)] = services_import(
            specs=[result.definition], publish=publish, actor=actor, source=source
        )
        for town in towns:
            ServiceOffering.objects.get_or_create(municipality=town, service_key=key)
    return definition, result.report
