"""Shared API plumbing: one error shape for every endpoint (docs/api.md).

Every error answer is JSON `{"detail": "…", "errors": {field: ["message", …]}}`: `detail`
says what went wrong in one sentence, `errors` names each field (empty when no field is to
blame). Contract v1's two shapes (`{"errors": …}` and `{"detail": …}`) are both kept; every
answer now carries both keys."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import Invalid, NotFound, PortalError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: PortalErrors as they say, DRF's and Django's own errors in
    the same shape. Anything else is a bug and stays a 500."""
    if isinstance(exc, DjangoValidationError):
        exc = Invalid.from_validation_error(exc)
    elif isinstance(exc, Http404) and not isinstance(exc, PortalError):
        exc = NotFound()
    if isinstance(exc, PortalError):
        return Response(exc.as_dict(), status=exc.status, headers=exc.headers())
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data
        if isinstance(errors, list):
            errors = {"non_field_errors": errors}
        response.data = {"detail": str(Invalid.default_detail), "errors": errors}
    else:
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        response.data = {"detail": str(detail or _("Error.")), "errors": {}}
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS and "Retry-After" not in response:
        response["Retry-After"] = "60"
    return response


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, except that a body nested too deeply for Python's decoder is a 400
    like any other malformed JSON (DRF lets the RecursionError through as a 500)."""

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: dict | None = None
    ) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from exc
