"""Refuse oversized request bodies before anything reads them."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse


class RequestSizeLimitMiddleware:
    """413 for a body larger than REQUEST_MAX_BYTES, judged by Content-Length alone, so a
    large upload is refused before a byte of it is read or stored."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"detail": "Invalid Content-Length."}, status=400)
        if length > settings.REQUEST_MAX_BYTES:
            return JsonResponse(
                {"detail": f"The request is larger than {settings.REQUEST_MAX_BYTES} bytes."},
                status=413,
            )
        return self.get_response(request)
