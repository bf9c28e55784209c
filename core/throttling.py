"""Rate limits for plain Django views (pages), sharing the API's throttle rates and cache.

The API throttles with `ScopedRateThrottle` below, DRF's keyed on the trusted client address
(core/clients.py; scopes in REST_FRAMEWORK's
DEFAULT_THROTTLE_RATES, set from the environment). Pages such as `/track/` and the login
form are Django views; they take the same rates, the same cache and the same key per client
through `throttle(scope)`, so an abuser gains nothing by switching from the API to the page.
Past the rate, the view raises `Throttled` and the error middleware answers 429 with
Retry-After."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse
from rest_framework import throttling

from core.clients import client_address
from core.errors import Throttled

View = Callable[..., HttpResponse]


class ScopedRateThrottle(throttling.ScopedRateThrottle):
    """DRF's scoped throttle keyed on the trusted client address (core/clients.py), not on
    whatever X-Forwarded-For says. Every API view throttles with this class."""

    def get_ident(self, request: HttpRequest) -> str:
        return client_address(request)


class PageRateThrottle(throttling.SimpleRateThrottle):
    """One scope's rate, keyed like DRF's ScopedRateThrottle: the user for a signed-in
    caller, else the client address."""

    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__()

    def get_cache_key(self, request: HttpRequest, view: object) -> str | None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ident = user.pk
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def get_ident(self, request: HttpRequest) -> str:
        return client_address(request)


def throttle(scope: str, *, methods: Iterable[str] | None = None) -> Callable[[View], View]:
    """Decorate a view so that requests beyond the scope's rate raise `Throttled` (429 with
    Retry-After). `methods` limits the count to those methods (e.g. only POST of a login)."""
    counted = {m.upper() for m in methods} if methods else None

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if counted is None or request.method in counted:
                limiter = PageRateThrottle(scope)
                if not limiter.allow_request(request, None):
                    wait = limiter.wait()
                    raise Throttled(retry_after=max(1, math.ceil(wait)) if wait else 60)
            return view(request, *args, **kwargs)

        wrapped.throttle_scope = scope  # type: ignore[attr-defined]  (tests look for it)
        return wrapped

    return decorator
