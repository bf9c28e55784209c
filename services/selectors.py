"""Reads of the catalog and of cases, scoped to who may see them (DESIGN.md, Tenancy).

Views, serializers and tasks never query Case by hand: they come here."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from municipalities.models import Membership, Municipality
from municipalities.selectors import active_delegation, municipality_ids_for
from services.models import Case, CaseEvent, ServiceDefinition, ServiceOffering
from services.references import token_matches

User = AbstractBaseUser | AnonymousUser
DUE_SOON_DAYS = 2


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
        if self.service.fee_kind == "free":
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
    """The offer of one service in one municipality, else Http404."""
    on = on or timezone.localdate()
    offering = ServiceOffering.objects.filter(
        municipality=municipality, service_key=service_key, active=True
    ).first()
    service = published_service(service_key) if offering else None
    if offering is None or service is None:
        raise Http404("service not offered")
    delegation = active_delegation(service_key=service_key, municipality=municipality, on=on)
    return Offer(
        municipality=municipality,
        offering=offering,
        service=service,
        processing_authority=delegation.to_municipality if delegation else municipality,
    )


# --- cases ------------------------------------------------------------------------------


def _case_base() -> QuerySet[Case]:
    return Case.objects.select_related(
        "service", "municipality", "processing_authority", "assigned_to"
    )


def cases_visible_to(user: User) -> QuerySet[Case]:
    """Cases a clerk works: those whose processing authority is one of their municipalities.
    The filing town of a delegated case does not see it (purpose limitation)."""
    ids = municipality_ids_for(user, Membership.Role.CLERK)
    return _case_base().filter(processing_authority_id__in=ids)


def case_for_clerk(user: User, reference: str) -> Case:
    try:
        return cases_visible_to(user).get(reference=reference)
    except Case.DoesNotExist as exc:
        raise Http404("case not found") from exc


def case_for_token(reference: str, token: str | None) -> Case:
    """The case a citizen's access token opens; a wrong token is a 404 like a wrong
    reference, so references cannot be probed."""
    case = _case_base().filter(reference=reference).first()
    if case is None or not token_matches(token, case.access_token_hash):
        raise Http404("case not found")
    return case


def case_for_request(user: User, reference: str, token: str | None) -> tuple[Case, str]:
    """The case for an API caller and their role on it: ("clerk" | "applicant")."""
    if token:
        return case_for_token(reference, token), "applicant"
    return case_for_clerk(user, reference), "clerk"


def events_for(case: Case, *, public_only: bool) -> QuerySet[CaseEvent]:
    events = case.events.select_related("actor").order_by("at", "id")
    if public_only:
        events = events.filter(visibility=CaseEvent.Visibility.PUBLIC)
    return events


@dataclass(frozen=True)
class QueueFilters:
    status: str | None = None
    service: str | None = None
    municipality: str | None = None
    assigned: str | None = None  # "me" | "none"
    overdue: bool = False


def queue_for(user: User, *, filters: QueueFilters) -> QuerySet[Case]:
    """The clerk's queue, sorted by due date. Filters per API.md."""
    cases = cases_visible_to(user)
    if filters.status:
        cases = cases.filter(status=filters.status)
    else:
        cases = cases.filter(status__in=Case.OPEN_STATUSES)
    if filters.service:
        cases = cases.filter(service__key=filters.service)
    if filters.municipality:
        cases = cases.filter(municipality__slug=filters.municipality)
    if filters.assigned == "me":
        cases = cases.filter(assigned_to=user)
    elif filters.assigned == "none":
        cases = cases.filter(assigned_to__isnull=True)
    if filters.overdue:
        cases = cases.filter(
            due_date__lt=timezone.localdate(),
            paused_at__isnull=True,
            status__in=Case.OPEN_STATUSES,
        )
    return cases.order_by("due_date", "id")
