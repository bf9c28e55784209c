"""The provider interface (DESIGN.md, Payments): plain data in, plain data out.

A provider knows a protocol, never the database: services.py reads and writes
rows and hands providers frozen snapshots (modelled on Saleor's payment
plugins). What a provider cannot do (a bank transfer has no status call), it
answers with None or a result that says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(frozen=True)
class PaymentData:
    """What a provider may know about one payment attempt."""

    id: str
    merchant_tx_id: str
    amount_cents: int
    currency: str
    creditor_reference: str
    purpose: str
    payee_slug: str
    payee_name: str
    payee_iban: str
    payee_bic: str
    kassenzeichen: str = ""
    provider_reference: str = ""


@dataclass(frozen=True)
class CallbackUrls:
    """Where a redirecting provider sends the browser and its server-to-server call."""

    redirect: str
    notify: str


@dataclass(frozen=True)
class StartResult:
    """`pending`: the attempt waits for the payer (maybe at `redirect_url`); `failed`: refused."""

    status: str
    redirect_url: str = ""
    provider_reference: str = ""
    method: str = ""
    message: str = ""
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Notification:
    """A verified provider message about one attempt."""

    merchant_tx_id: str
    provider_reference: str
    outcome: str  # paid | failed | cancelled | pending
    amount_cents: int | None
    currency: str
    method: str
    message_key: str
    payload: dict
    code: str = ""


@dataclass(frozen=True)
class StatusResult:
    outcome: str  # paid | failed | cancelled | pending
    amount_cents: int | None = None
    currency: str = ""
    method: str = ""
    payload: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    """`done`: the provider paid it back; `open`: someone must transfer it; `failed`."""

    status: str
    provider_reference: str = ""
    message: str = ""
    payload: dict = field(default_factory=dict)


class ProviderError(Exception):
    """The provider could not be reached or answered nonsense (retry later)."""


class PaymentProvider:
    """Base class; subclasses set `key` and override what they support."""

    key: ClassVar[str] = ""
    #: Shown to citizens (a gettext_lazy string).
    label: ClassVar[str] = ""
    #: True when the provider redirects the payer to a checkout page.
    redirects: ClassVar[bool] = False

    def start(self, payment: PaymentData, *, urls: CallbackUrls) -> StartResult:
        raise NotImplementedError

    def verify_notification(
        self, params: Mapping[str, str], *, payment: PaymentData
    ) -> Notification | None:
        """The notification if its signature holds, else None."""
        return None

    def fetch_status(self, payment: PaymentData) -> StatusResult | None:
        """Ask the provider; None when it cannot be asked."""
        return None

    def refund(self, payment: PaymentData, *, amount_cents: int) -> RefundResult:
        return RefundResult(status="open", message="Refund by bank transfer.")
