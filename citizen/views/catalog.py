"""A municipality's page: the services it offers, searchable (docs/api.md, Pages: /<town>/)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from catalog.selectors import Offer, offers_for
from municipalities.selectors import municipality_by_slug


def _matches(offer: Offer, query: str) -> bool:
    service = offer.service
    haystack = []
    for value in (service.name, service.description):
        haystack.extend(value.values() if isinstance(value, dict) else [value or ""])
    return query.casefold() in " ".join(haystack).casefold()


def municipality(request: HttpRequest, slug: str) -> HttpResponse:
    town = municipality_by_slug(slug)
    offers = offers_for(town)
    query = request.GET.get("q", "").strip()[:100]
    shown = [o for o in offers if _matches(o, query)] if query else offers
    return render(
        request,
        "citizen/municipality.html",
        {"municipality": town, "offers": shown, "query": query},
    )
