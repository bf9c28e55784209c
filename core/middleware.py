"""Middleware of the shared machinery: oversized bodies refused before they are read, and the
one place where pages turn a `PortalError` into an answer (core/errors.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from core.errors import FileTooLarge, Invalid, NotFound, PortalError, TooLarge

API_PREFIX = "/api/"


def error_response(request: HttpRequest, error: PortalError) -> HttpResponse:
    """The answer to `error`: JSON under /api/ (the API's shape, core/api.py), else the page
    `templates/errors/<status>.html`. Used by the middleware below and by code that must
    answer before any view runs."""
    if request.path.startswith(API_PREFIX):
        response: HttpResponse = JsonResponse(error.as_dict(), status=error.status)
    elif _answers_in_plain_text(request):
        lines = [error.detail, *(f"{k}: {' '.join(v)}" for k, v in error.errors.items())]
        response = HttpResponse(
            "\n".join(lines), status=error.status, content_type="text/plain; charset=utf-8"
        )
    else:
        response = TemplateResponse(
            request, f"errors/{error.status}.html", {"error": error}, status=error.status
        ).render()
    for name, value in error.headers().items():
        response[name] = value
    return response


def _answers_in_plain_text(request: HttpRequest) -> bool:
    """A server-to-server endpoint (a payment provider's notification) that marks its view
    `plain_text_errors = True` gets its errors as text, not as a page."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return bool(getattr(match.func, "plain_text_errors", False))


class ErrorPageMiddleware:
    """Pages raise `PortalError`s like the API does; this answers them with the status's
    page (and `Retry-After` for 429). A page that shows an error inline, next to the form
    that caused it, catches the error itself and uses its `status`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, PortalError):
            return error_response(request, exception)
        if isinstance(exception, Http404) and not settings.DEBUG:
            return error_response(request, NotFound())
        return None


class RequestSizeLimitMiddleware:
    """413 for a body larger than REQUEST_MAX_BYTES, judged by Content-Length alone, so a
    large upload is refused before a byte of it is read or stored."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(request, Invalid(_("Invalid Content-Length.")))
        if length > settings.REQUEST_MAX_BYTES:
            return error_response(
                request,
                TooLarge(
                    _("The request is larger than %(limit)s bytes.")
                    % {"limit": settings.REQUEST_MAX_BYTES}
                ),
            )
        return self.get_response(request)


class FileSizeLimitUploadHandler(FileUploadHandler):
    """First upload handler: counts each file's bytes as they stream in and stops the
    upload once one passes UPLOAD_MAX_BYTES, so a huge file inside an allowed request (or
    a body whose length the client did not announce truthfully) is never read in full.
    The field's own, lower limit (max_size_mb) is still checked by the form engine."""

    def new_file(self, field_name: str, *args: object, **kwargs: object) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            raise FileTooLarge(self.field_name, settings.UPLOAD_MAX_BYTES)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handlers store the file
