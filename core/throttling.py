"""Rate limits for plain Django views (pages), sharing the API's throttle rates and cache.

The API throttles with `ScopedRateThrottle` below, DRF's keyed on the trusted client address
(core/clients.py; scopes in REST_FRAMEWORK's
DEFAULT_THROTTLE_RATES, set from the environment). Pages such as `/track/` and the login
form are Django views; they take the same rates, the same cache and the same key per client
through `throttle(scope)`, so an abuser gains nothing by switching from the API to the page.
Past the rate, the view raises `Throttled` and the error middleware answers 429 with
Retry-After.

Both count the way DRF's `SimpleRateThrottle` does (the requests of the last period, a
refused one not counted), but on a Redis cache in one round trip per allowed request: the
request times are a sorted set, trimmed, added to, counted and given its expiry in one
MULTI (DRF reads and writes a pickled list: two round trips, and the whole list unpickled
and pickled again each time). Other caches (the local memory of `make run` and the tests)
use DRF's own code."""

from __future__ import annotations

import functools
import math
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse
from rest_framework import throttling

from core.clients import client_address
from core.errors import Throttled

View = Callable[..., HttpResponse]


def _redis_client() -> Any | None:
    backend = caches["default"]  # the backend itself (`cache` is a proxy of it)
    if isinstance(backend, RedisCache):
        return backend._cache.get_client(write=True)
    return None


class OneRoundTripMixin:
    """DRF's counting in one Redis round trip (see the module's doc)."""

    _oldest: float | None = None

    def allow_request(self, request: Any, view: Any) -> bool:
        client = _redis_client()
        if client is None:
            return super().allow_request(request, view)  # type: ignore[misc]
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        # A key of its own type: DRF's pickled list may still live under the plain key.
        key = cache.make_and_validate_key(f"{self.key}:times")
        member = f"{self.now:.6f}:{secrets.token_hex(4)}"
        pipe = client.pipeline(transaction=True)
        pipe.zremrangebyscore(key, 0, self.now - self.duration)
        pipe.zadd(key, {member: self.now})
        pipe.zcard(key)
        pipe.zrange(key, 0, 0, withscores=True)
        pipe.expire(key, int(self.duration) + 1)
        _, _, count, oldest, _ = pipe.execute()
        if count <= self.num_requests:
            return True
        client.zrem(key, member)  # a refused request is not counted
        self._oldest = oldest[0][1] if oldest else self.now
        return False

    def wait(self) -> float | None:
        if self._oldest is None:
            return super().wait()  # type: ignore[misc]
        return max(0.0, self.duration - (self.now - self._oldest))


class _Counting(OneRoundTripMixin, throttling.SimpleRateThrottle):
    """SimpleRateThrottle counting in one round trip."""


class ScopedRateThrottle(throttling.ScopedRateThrottle, _Counting):
    """DRF's scoped throttle keyed on the trusted client address (core/clients.py), not on
    whatever X-Forwarded-For says. Every API view throttles with this class."""

    def get_ident(self, request: HttpRequest) -> str:
        return client_address(request)


class PageRateThrottle(_Counting):
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
