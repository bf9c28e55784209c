"""Reads of tenants and delegations. Who may see which municipality is core/tenancy.py's
answer (it reads the memberships defined here)."""

import datetime

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from municipalities.models import Delegation, Membership, Municipality


def municipalities_public() -> QuerySet[Municipality]:
    return Municipality.objects.order_by("-kind", "name")


def municipality_by_slug(slug: str) -> Municipality:
    """The municipality with this slug, else Http404."""
    return get_object_or_404(Municipality, slug=slug)


def delegations_in_force(*, municipality: Municipality, on: datetime.date) -> QuerySet[Delegation]:
    """`municipality`'s delegations valid on `on`, the newest first (the routing rule)."""
    return (
        Delegation.objects.filter(from_municipality=municipality, valid_from__lte=on)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .order_by("-valid_from")
    )


def active_delegation(
    *, service_key: str, municipality: Municipality, on: datetime.date
) -> Delegation | None:
    """The delegation that routes `municipality`'s cases of `service_key` on date `on`."""
    return (
        delegations_in_force(municipality=municipality, on=on)
        .select_related("to_municipality")
        .filter(service_key=service_key)
        .first()
    )


def overlapping_delegations(
    *,
    service_key: str,
    from_municipality: Municipality,
    valid_from: datetime.date,
    valid_until: datetime.date | None,
    exclude_id: int | None = None,
) -> QuerySet[Delegation]:
    """Delegations of the same service and filing town whose validity meets the given one."""
    qs = Delegation.objects.filter(
        service_key=service_key, from_municipality=from_municipality
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from))
    if valid_until is not None:
        qs = qs.filter(valid_from__lte=valid_until)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs.select_related("to_municipality")


def clerk_emails(municipality_id: int) -> list[str]:
    """The one recipient query of mail to an authority's clerks ("new case", answers, the
    digest): active users with a clerk membership and an address, each once."""
    emails = (
        Membership.objects.filter(
            municipality_id=municipality_id,
            role=Membership.Role.CLERK,
            user__is_active=True,
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return sorted(set(emails))
