"""Template helpers of the legal pages: Markdown texts and the footer's links."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from municipalities.models import Municipality

register = template.Library()

# CommonMark with raw HTML off: what an admin writes is escaped, links to javascript: and
# the like are dropped by markdown-it's link validation.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


@register.filter
def markdown(text: str) -> SafeString:
    return mark_safe(_MARKDOWN.render(text or ""))  # noqa: S308 (escaped by markdown-it)


def page_urls(municipality: Municipality | None) -> dict[str, str]:
    """The three legal pages of a town, or the district's (at the root)."""
    if municipality is None or municipality.kind == Municipality.Kind.DISTRICT:
        return {name: reverse(f"legal-{name}") for name in ("imprint", "privacy", "accessibility")}
    return {
        name: reverse(f"legal-{name}-town", args=[municipality.slug])
        for name in ("imprint", "privacy", "accessibility")
    }


def _page_municipality(context: template.Context) -> Municipality | None:
    """The town a page belongs to: the view's municipality or case, else the URL's slug."""
    candidate: Any = context.get("municipality")
    if not isinstance(candidate, Municipality):
        case = context.get("case")
        candidate = getattr(case, "municipality", None)
    if isinstance(candidate, Municipality):
        return candidate
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("slug") if match is not None else None
    if isinstance(slug, str):
        return Municipality.objects.filter(slug=slug).first()
    return None


@register.simple_tag(takes_context=True)
def legal_links(context: template.Context) -> dict[str, Any]:
    """{"municipality": the town or None (the district's pages), "imprint": url, …}."""
    municipality = _page_municipality(context)
    return {"municipality": municipality, **page_urls(municipality)}
