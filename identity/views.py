"""Pages and endpoints of citizen sign-in (``/saml2/…``). Thin: the protocol steps are in
identity/saml/flows.py."""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT

from identity import levels, services
from identity.saml import config, flows
from identity.selectors import current_identity

logger = logging.getLogger(__name__)

PENDING_SECONDS = 120  # a posted Response waits this long for the browser's second request
MAX_RESPONSE_CHARS = 200_000


def _safe_next(value: str | None) -> str:
    """Only paths of this site: never an open redirect."""
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts=set()):
        return value
    return "/"


def _unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.warning("citizen sign-in unavailable: %s", exc)
    return render(request, "identity/unavailable.html", status=503)


def _failed(request: HttpRequest, reason: str) -> HttpResponse:
    logger.warning("SAML response refused: %s", reason)
    return render(request, "identity/failed.html", status=400)


@require_GET
def metadata(request: HttpRequest) -> HttpResponse:
    try:
        xml = config.sp_metadata_xml()
    except config.Unavailable as exc:
        raise Http404(str(exc)) from exc
    return HttpResponse(xml, content_type="application/samlmetadata+xml; charset=utf-8")


@require_GET
def login(request: HttpRequest) -> HttpResponse:
    """``?level=low|substantial|high`` (default low) and ``?next=/path/``."""
    try:
        level = levels.parse(request.GET.get("level") or levels.Level.LOW)
    except ValueError:
        return render(request, "identity/bad_level.html", {"levels": levels.ORDER[1:]}, status=400)
    if level == levels.Level.NONE:
        level = levels.Level.LOW
    try:
        location = flows.start_sign_in(request, level, _safe_next(request.GET.get("next")))
    except config.Unavailable as exc:
        return _unavailable(request, exc)
    return HttpResponseRedirect(location)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def acs(request: HttpRequest) -> HttpResponse:
    """The assertion consumer. The identity provider's page POSTs here from another site,
    and browsers leave the session cookie (SameSite=Lax) off such a POST; so the POST only
    parks the Response under a one-time key and sends the browser on with a GET, which
    carries the cookie, and the Response is checked against that session."""
    if request.method == "POST":
        saml_response = request.POST.get("SAMLResponse", "")
        if not saml_response or len(saml_response) > MAX_RESPONSE_CHARS:
            return _failed(request, "no SAMLResponse, or an oversized one")
        token = secrets.token_urlsafe(32)
        cache.set(f"identity:acs:{token}", saml_response, PENDING_SECONDS)
        return HttpResponseRedirect(f"{reverse('identity:acs')}?{urlencode({'r': token})}")

    token = request.GET.get("r", "")
    saml_response = cache.get(f"identity:acs:{token}") if token else None
    if not saml_response:
        return _failed(request, "no parked response under this key (used or expired)")
    cache.delete(f"identity:acs:{token}")
    try:
        signed_in = flows.finish_sign_in(request, saml_response)
    except config.Unavailable as exc:
        return _unavailable(request, exc)
    except flows.Refused as exc:
        return _failed(request, exc.reason)
    except flows.LevelTooLow as exc:
        retry = f"{reverse('identity:login')}?{urlencode({'level': exc.required.value, 'next': exc.next_url})}"
        return render(
            request,
            "identity/level_too_low.html",
            {
                "required": exc.required,
                "required_prompt": levels.sign_in_prompt(exc.required),
                "achieved": exc.achieved,
                "achieved_label": levels.verified_by(exc.achieved) if exc.achieved else "",
                "retry_url": retry,
                "back_url": exc.next_url,
            },
            status=403,
        )
    services.sign_in(request, signed_in.identity, signed_in.saml)
    return HttpResponseRedirect(signed_in.next_url)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Sign out here at once, then (when the identity provider offers it) at BundID too.
    The way there is a link and a meta refresh, not a redirect: the form's CSP
    (form-action 'self') would stop a redirect to another site."""
    next_url = _safe_next(request.POST.get("next"))
    saml = services.sign_out(request)
    location = None
    if saml and config.enabled():
        try:
            location = flows.start_logout(request, saml, next_url)
        except config.Unavailable as exc:
            logger.warning("single logout skipped: %s", exc)
    return render(request, "identity/logged_out.html", {"idp_url": location, "next": next_url})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def single_logout(request: HttpRequest) -> HttpResponse:
    """The single logout service: the identity provider's LogoutResponse to our request,
    or its own LogoutRequest (logout started elsewhere)."""
    binding = BINDING_HTTP_POST if request.method == "POST" else BINDING_HTTP_REDIRECT
    data = request.POST if request.method == "POST" else request.GET
    try:
        if "SAMLResponse" in data:
            return HttpResponseRedirect(_safe_next(flows.finish_logout(request, data, binding)))
        if "SAMLRequest" in data:
            location, matches = flows.answer_logout_request(
                request, data["SAMLRequest"], binding, data.get("RelayState", ""), data
            )
            if matches:
                services.sign_out(request)
            return HttpResponseRedirect(location)
    except config.Unavailable as exc:
        return _unavailable(request, exc)
    except Exception as exc:  # a forged or broken message
        return _failed(request, f"single logout: {type(exc).__name__}: {exc}")
    return _failed(request, "single logout without SAMLRequest or SAMLResponse")


@require_GET
def whoami(request: HttpRequest) -> HttpResponse:
    """Who the portal thinks the citizen is: the verified data of this session."""
    identity = current_identity(request)
    return render(
        request,
        "identity/whoami.html",
        {
            "identity": identity,
            "verified_by": levels.verified_by(identity.level) if identity else "",
            "sign_in_url": f"{reverse('identity:login')}?{urlencode({'level': 'high', 'next': request.path})}",
            "enabled": config.enabled(),
            "max_age": settings.IDENTITY_MAX_AGE_MINUTES,
        },
    )
