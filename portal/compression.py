"""gzip for the portal's own responses (pages, JSON, CSV), with BREACH in mind.

Static files never come here: whitenoise answers them above this middleware with the
gzip/Brotli copies `collectstatic` made. docs/frontend.md ("Compression and BREACH") has
the reasoning in full.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers

# Sec-Fetch-Site values of requests a page on another site cannot have made.
OWN_REQUESTS = ("same-origin", "none")


def compressible(content_type: str) -> bool:
    """Text formats; not PDFs, images or uploads, which are compressed already."""
    media_type = content_type.split(";")[0].strip().lower()
    return media_type.startswith("text/") or media_type.endswith(
        ("json", "xml", "javascript", "openapi", "yaml")
    )


class CompressionMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (which adds up to 100 random bytes to each compressed
    response, Heal-the-BREACH style) for text responses, except for a cross-site request
    that carries cookies: that is the request a page on another site can make a browser send
    with the visitor's session, and so the only one whose compressed size could leak a
    secret of the visitor to an attacker who both chooses part of the URL and watches the
    traffic. Browsers that send no Sec-Fetch-Site (Safari before 16.4) get compression."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if not compressible(response.get("Content-Type", "")):
            return response
        patch_vary_headers(response, ("Sec-Fetch-Site", "Cookie"))
        if request.COOKIES and request.headers.get("Sec-Fetch-Site", "none") not in OWN_REQUESTS:
            return response
        return super().process_response(request, response)
