"""The provider interface (docs/architecture.md, Payments): plain data in, plain data out.

A provider knows a protocol, never the database: payments/services/ reads and writes rows
and hands providers frozen snapshots (modelled on Saleor's payment plugins). What a
provider cannot do (a bank transfer has no status call), it answers with None or a result
that says so.

A provider also says what the payer does next (`next_step`: go to a URL, transfer with the
details shown, pay at the counter) and how it is called (`label`, `admin_label`), so pages,
the API and the admin render any provider without knowing its key. What it can do is
declared in flags (`expires_unfinished`, `settled_by_statement`, …), which the services read
instead of comparing keys."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar


class Outcome(StrEnum):
    """What a provider message or status call says about an attempt."""

    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"
    PENDING = "pending"


class StartStatus(StrEnum):
    PENDING = "pending"  # the attempt waits for the payer (maybe at a checkout page)
    FAILED = "failed"  # refused


class RefundStatus(StrEnum):
    DONE = "done"  # the provider paid it back
    OPEN = "open"  # someone must transfer it (the treasury's pain.001 export)
    FAILED = "failed"


class NextStepKind(StrEnum):
    REDIRECT = "redirect"  # send the browser to `url` (a checkout page)
    SHOW_TRANSFER = "show_transfer"  # show the transfer details and their QR code
    PAY_AT_COUNTER = "pay_at_counter"  # the payer pays at the town hall


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
    redirect_url: str = ""
    active: bool = True


@dataclass(frozen=True)
class NextStep:
    """What the payer does next for an attempt. `url` for REDIRECT (empty once the attempt
    is over); `payload` for SHOW_TRANSFER (the exact EPC QR text)."""

    kind: NextStepKind
    url: str = ""
    payload: str = ""


@dataclass(frozen=True)
class CallbackUrls:
    """Where a redirecting provider sends the browser and its server-to-server call."""

    redirect: str
    notify: str


@dataclass(frozen=True)
class StartResult:
    status: StartStatus
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
    outcome: Outcome
    amount_cents: int | None
    currency: str
    method: str
    message_key: str
    payload: dict
    code: str = ""


@dataclass(frozen=True)
class StatusResult:
    outcome: Outcome
    amount_cents: int | None = None
    currency: str = ""
    method: str = ""
    payload: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    status: RefundStatus
    provider_reference: str = ""
    message: str = ""
    payload: dict = field(default_factory=dict)


class ProviderError(Exception):
    """The provider could not be reached or answered nonsense (retry later)."""


class PaymentProvider:
    """Base class; subclasses set `key`, the labels and flags, and override what they
    support."""

    key: ClassVar[str] = ""
    #: Shown to citizens choosing how to pay (a gettext_lazy string).
    label: ClassVar[str] = ""
    #: Shown to admins choosing which providers a town offers.
    admin_label: ClassVar[str] = ""
    #: Its product name in notes ("GiroCheckout"), the same in every language.
    brand: ClassVar[str] = ""
    #: Said to the citizen right after choosing it (empty: nothing to say, e.g. a redirect).
    chosen_message: ClassVar[str] = ""
    #: The payment method recorded for its attempts unless the provider reports another.
    method: ClassVar[str] = ""
    #: Unfinished attempts expire after PAYMENT_EXPIRY_MINUTES (after one status call).
    expires_unfinished: ClassVar[bool] = False
    #: Paid when a bank statement line matches; the payer is reminded after
    #: GIROCODE_REMINDER_DAYS, and a refund goes back to the account the money came from.
    settled_by_statement: ClassVar[bool] = False
    #: Sends signed notifications (and redirects) about its attempts.
    notifies: ClassVar[bool] = False
    #: Paid at the town hall and recorded there by a clerk.
    paid_at_counter: ClassVar[bool] = False
    #: Parameter names of its notify call, for the OpenAPI document (a notifying provider).
    notify_parameters: ClassVar[tuple[str, ...]] = ()

    def start(self, payment: PaymentData, *, urls: CallbackUrls) -> StartResult:
        raise NotImplementedError

    def next_step(self, payment: PaymentData) -> NextStep:
        raise NotImplementedError

    def notified_attempt(self, params: Mapping[str, str]) -> str:
        """The merchant transaction id a notification (or redirect) is about; "" if none."""
        return ""

    def verify_notification(
        self, params: Mapping[str, str], *, payment: PaymentData
    ) -> Notification | None:
        """The notification if its signature holds, else None."""
        return None

    def fetch_status(self, payment: PaymentData) -> StatusResult | None:
        """Ask the provider; None when it cannot be asked."""
        return None

    def refund(self, payment: PaymentData, *, amount_cents: int) -> RefundResult:
        return RefundResult(status=RefundStatus.OPEN, message="Refund by bank transfer.")
