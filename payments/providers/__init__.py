"""Registry of payment providers, by key. Which of them a municipality offers is
configuration (`Municipality.payment_providers`, chosen in the admin from `choices()`).

A provider is one module here with one `register(...)` call; the registry refuses a second
provider under the same key."""

from __future__ import annotations

from payments.providers.base import PaymentProvider

_REGISTRY: dict[str, PaymentProvider] = {}


def register(provider: PaymentProvider) -> PaymentProvider:
    if not provider.key:
        raise ValueError("A provider needs a key.")
    if provider.key in _REGISTRY and type(_REGISTRY[provider.key]) is not type(provider):
        raise ValueError(f"A payment provider is registered as {provider.key!r} already.")
    _REGISTRY[provider.key] = provider
    return provider


def get(key: str) -> PaymentProvider:
    """The provider registered under `key`; KeyError if there is none."""
    _load()
    return _REGISTRY[key]


def keys() -> list[str]:
    _load()
    return list(_REGISTRY)


def keys_where(flag: str) -> list[str]:
    """Keys of the providers whose flag (e.g. `expires_unfinished`) is set."""
    _load()
    return [key for key, provider in _REGISTRY.items() if getattr(provider, flag)]


def choices() -> list[tuple[str, str]]:
    """(key, label) of every provider, for the admin's choice of what a town offers."""
    _load()
    return [(key, provider.admin_label or provider.label) for key, provider in _REGISTRY.items()]


def label_of(key: str) -> str:
    """What a provider is called in tables and notes ("GiroCode (bank transfer with QR
    code)"), in the active language; its key only when no provider has it."""
    _load()
    provider = _REGISTRY.get(key)
    return str(provider.admin_label or provider.label) if provider else key


def offered_keys(configured: list[str] | None) -> list[str]:
    """The registered providers among a municipality's configured keys, in its order."""
    _load()
    return [key for key in (configured or []) if key in _REGISTRY]


def _load() -> None:
    # Import for the side effect of registering; late, to avoid import cycles.
    from payments.providers import counter, girocheckout, girocode  # noqa: F401
