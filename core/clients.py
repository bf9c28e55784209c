"""The client's address: one answer for rate limits, the login lockout (axes) and logs.

`TRUSTED_PROXIES` (docs/operations.md) says which hops in front of the portal may speak for
the client in `X-Forwarded-For`:

- unset, empty or `0` (the default): none. The address is the connection's peer
  (`REMOTE_ADDR`) and `X-Forwarded-For` is ignored — anyone can write that header.
- a count `N`: the last N hops are the operator's proxies (the peer is the nearest). The
  address is the right-most entry of `X-Forwarded-For` that none of them added, i.e. the
  N-th from the right; a client's own entries further left are never read.
- a list of networks (`10.0.0.0/8,192.0.2.7`): hops from these addresses are proxies.
  Walking from the peer leftwards, the first address outside them is the client's.

A malformed entry where an address is expected ends the walk: the last hop that could be
trusted (itself a proxy's address) counts as the client, so a forged header can only ever
make clients share a budget, never escape it."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _parse(value: object) -> int | tuple[Network, ...]:
    """TRUSTED_PROXIES as a count of hops or a tuple of networks."""
    if value in (None, "", 0, "0"):
        return 0
    if isinstance(value, int):
        if value < 0:
            raise ImproperlyConfigured("TRUSTED_PROXIES must not be negative")
        return value
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    items = [str(item).strip() for item in items if str(item).strip()]
    if len(items) == 1 and items[0].isdigit():
        return int(items[0])
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in items)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES is a number of proxies or a list of networks: {exc}"
        ) from exc


def trusted_proxies() -> int | tuple[Network, ...]:
    value = getattr(settings, "TRUSTED_PROXIES", 0)
    return _parse(tuple(value) if isinstance(value, list) else value)


def _address(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return address.ipv4_mapped or address if isinstance(address, ipaddress.IPv6Address) else address


def _forwarded_chain(request: HttpRequest) -> list[str]:
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return [part for part in (p.strip() for p in header.split(",")) if part]


def address_of_chain(
    peer: str, forwarded: Sequence[str], trusted: int | tuple[Network, ...]
) -> str:
    """The client's address given the peer, the X-Forwarded-For entries (left to right) and
    the trusted proxies (see the module's docstring)."""
    peer_address = _address(peer)
    if peer_address is None:
        return peer or "unknown"
    if not trusted:
        return str(peer_address)
    hops = [*forwarded, str(peer_address)]  # hops[-1] is the nearest
    if isinstance(trusted, int):
        index = max(0, len(hops) - 1 - trusted)
        # Every entry right of `index` was written by a trusted proxy; read only that one.
        for position in range(len(hops) - 1, index - 1, -1):
            if _address(hops[position]) is None:
                return str(_address(hops[position + 1]))
        return str(_address(hops[index]))
    client = peer_address
    for entry in reversed(hops[:-1]):
        if not any(client in network for network in trusted if client.version == network.version):
            break
        address = _address(entry)
        if address is None:
            break
        client = address
    return str(client)


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent `request` (see the module's docstring)."""
    cached = getattr(request, "_client_address", None)
    if cached is None:
        cached = address_of_chain(
            request.META.get("REMOTE_ADDR", ""), _forwarded_chain(request), trusted_proxies()
        )
        try:
            request._client_address = cached
        except AttributeError:  # an object that takes no attributes
            pass
    return cached
