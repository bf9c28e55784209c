"""What a payment is for: a *payable*, seen through a small protocol.

Payments know nothing about cases. A payment belongs to one row of the payable model
(`settings.PAYMENTS_PAYABLE_MODEL`, a foreign key like `AUTH_USER_MODEL`); everything
payments need to know about it, and everything they tell it, goes through the one
`PayableAdapter` its app registers (cases/payable.py for `cases.Case`):

- `describe(payable)` → `PayableInfo`: reference, amount owed, payee, purpose, whether a fee
  may be paid or refunded now, the payer's name;
- `lock(payable)`: serialize payment decisions of one payable (a row lock);
- `token_matches`, `visible_to`: who may read its payments besides the payee's admins;
- announcements: `settled` (the fee arrived), `paid_twice` (money arrived for a fee paid
  already: it must go back), `failed` (an attempt failed or was cancelled), `refunded`,
  `overdue` (a transfer has not arrived: remind the payer) and `note` (anything else worth a
  line in the payable's history);
- `page_url`: where a browser coming back from a checkout goes.

The registry holds one adapter and refuses a second."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from municipalities.models import Municipality

if TYPE_CHECKING:
    from core.tenancy import Scope
    from payments.models import Payment

Payable = Any  # a row of settings.PAYMENTS_PAYABLE_MODEL; str(payable) is its reference


@dataclass(frozen=True)
class PayableInfo:
    """What payments may know about a payable."""

    reference: str  # its own reference, e.g. BKM-2026-7KQ4M2
    amount_cents: int  # the fee owed (0: nothing)
    payee: Municipality  # who receives the money (its account, its providers)
    purpose: str  # one line for bank statements and checkout pages (≤ 70 characters)
    open: bool  # a fee may still be paid
    refundable: bool  # a paid fee may be paid back now
    payer_name: str  # whom a refund transfer goes to when the bank did not name the payer


class PayableAdapter(ABC):
    """The payable model's side of the protocol."""

    #: ORM paths from the payable to the municipalities whose admins may read its payments
    #: in the admin, besides the payee (e.g. a case's processing authority).
    municipality_lookups: tuple[str, ...] = ()

    @abstractmethod
    def describe(self, payable: Payable) -> PayableInfo: ...

    @abstractmethod
    def lock(self, payable: Payable) -> None:
        """Lock the payable's row until the transaction ends (one payment decision at a
        time)."""

    @abstractmethod
    def token_matches(self, payable: Payable, token: str) -> bool:
        """Whether a citizen's access token opens this payable."""

    @abstractmethod
    def visible_to(self, payable: Payable, scope: Scope) -> bool:
        """Whether a signed-in user (besides the payee's admins) may see its payments."""

    @abstractmethod
    def settled(self, payable: Payable, *, payment: Payment, comment: str) -> None:
        """The fee arrived (called inside the payment's transaction)."""

    @abstractmethod
    def paid_twice(self, payable: Payable, *, payment: Payment, comment: str) -> None:
        """Money arrived for a fee that was paid already; it must be refunded."""

    @abstractmethod
    def failed(self, payable: Payable, *, payment: Payment, comment: str) -> None:
        """An attempt failed, was cancelled or expired; the payer may choose again."""

    @abstractmethod
    def refunded(self, payable: Payable, *, payment: Payment, comment: str) -> None:
        """The fee is being paid back (or has been)."""

    @abstractmethod
    def overdue(self, payable: Payable, *, payment: Payment) -> None:
        """A transfer has not arrived in time: remind the payer (durably)."""

    @abstractmethod
    def note(self, payable: Payable, *, comment: str, internal: bool) -> None:
        """A line for the payable's history (started, over- or under-paid, …)."""

    @abstractmethod
    def page_url(self, payable: Payable, request: HttpRequest) -> str | None:
        """Where the payer's browser goes after a checkout; None: the generic page."""


_ADAPTER: list[PayableAdapter] = []


def register(adapter: PayableAdapter) -> PayableAdapter:
    """Register the payable model's adapter (once, in its AppConfig.ready())."""
    if _ADAPTER and _ADAPTER[0] is not adapter:
        raise ImproperlyConfigured("A payable adapter is registered already.")
    _ADAPTER[:] = [adapter]
    return adapter


def adapter() -> PayableAdapter:
    if not _ADAPTER:
        raise ImproperlyConfigured(
            f"No payable adapter registered for {settings.PAYMENTS_PAYABLE_MODEL}."
        )
    return _ADAPTER[0]
