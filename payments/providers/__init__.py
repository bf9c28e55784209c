"""Registry of payment providers, by key. Which of them a municipality offers is
configuration (`Municipality.payment_providers`)."""

from __future__ import annotations

from payments.providers.base import PaymentProvider

_REGISTRY: dict[str, PaymentProvider] = {}


def register(provider: PaymentProvider) -> PaymentProvider:
    if not provider.key:
        raise ValueError("A provider needs a key.")
    _REGISTRY[provider.key] = provider
    return provider


def get(key: str) -> PaymentProvider:
    """The provider registered under `key`; KeyError if there is none."""
    _load()
    return _REGISTRY[key]


def keys() -> list[str]:
    _load()
    return list(_REGISTRY)


def offered_keys(configured: list[str] | None) -> list[str]:
    """The registered providers among a municipality's configured keys, in its order."""
    _load()
    return [key for key in (configured or []) if key in _REGISTRY]


def _load() -> None:
    # Import for the side effect of registering; late, to avoid import cycles.
    from payments.providers import counter, girocheckout, girocode  # noqa: F401
