"""Site-wide pages: home, health check."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults

from core.errors import Forbidden, Invalid, NotFound, TooLarge
from core.middleware import API_PREFIX, error_response
from core.scanning import scanner_health
from municipalities.selectors import municipalities_public


def home(request: HttpRequest) -> HttpResponse:
    municipalities = list(municipalities_public())
    districts = [m for m in municipalities if m.kind == "district"]
    towns = [m for m in municipalities if m.kind == "town"]
    return render(request, "portal/home.html", {"districts": districts, "towns": towns})


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 outside any view (an unknown address): the same page as every 404."""
    return error_response(request, NotFound())


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400 (a suspicious request, too many fields): JSON under /api/ as well."""
    if isinstance(exception, RequestDataTooBig):
        return error_response(request, TooLarge())
    return error_response(request, Invalid())


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_response(request, Forbidden())


def server_error(request: HttpRequest) -> HttpResponse:
    """A bug (500). Under /api/ the API's JSON shape; elsewhere Django's plain page, which
    needs nothing that might have failed."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {"detail": _("Server error. Please try again later."), "errors": {}}, status=500
        )
    return defaults.server_error(request)


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database (and the broker and the upload scanner, where configured)
    answers; else 503 naming the failing part."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "down" to an operator
        checks["database"] = f"down: {exc.__class__.__name__}"
        connection.close_if_unusable_or_obsolete()
    if settings.REDIS_URL:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
            checks["broker"] = "ok"
        except redis.RedisError as exc:
            checks["broker"] = f"down: {exc.__class__.__name__}"
    if settings.UPLOAD_SCAN_URL:
        scanner_ok, detail = scanner_health()
        checks["scanner"] = "ok" if scanner_ok else f"down: {detail}"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
