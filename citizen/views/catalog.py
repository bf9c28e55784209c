"""A municipality's page: the services it offers, searchable (docs/api.md, Pages: /<town>/)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from catalog.search import offers_search
from catalog.selectors import offers_for
from municipalities.selectors import municipality_by_slug


def municipality(request: HttpRequest, slug: str) -> HttpResponse:
    town = municipality_by_slug(slug)
    offers = offers_for(town)
    query = request.GET.get("q", "").strip()[:100]
    shown = offers_search(offers, query) if query else offers
    return render(
        request,
        "citizen/municipality.html",
        {"municipality": town, "offers": shown, "query": query},
    )
