"""Starting to pay a fee: one attempt per way of paying, idempotent per request, started with
its provider outside any transaction."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import notes
from core.errors import Invalid
from payments import payables, providers
from payments.girocode import creditor_reference
from payments.models import Payment, PaymentEvent
from payments.payables import Payable, PayableInfo
from payments.providers.base import CallbackUrls, ProviderError, StartStatus
from payments.services.common import (
    ACTIVE,
    SETTLED,
    IdempotencyConflict,
    PaymentConflict,
    Status,
    message_key,
    note,
    payment_data,
    sqlite_locked,
    transition,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Created:
    payment: Payment
    created: bool  # False: an earlier answer (idempotent replay or the same active attempt)


def callback_urls(payment: Payment, *, base_url: str) -> CallbackUrls:
    """Absolute URLs for the provider. Outside the sandbox the configured portal address
    is used, never the request's Host header, so nobody can bend notifications elsewhere."""
    base = (
        base_url if settings.PAYMENTS_SANDBOX and base_url else settings.PORTAL_BASE_URL
    ).rstrip("/")
    return CallbackUrls(
        redirect=base
        + reverse("payments:provider-return", args=[payment.provider, payment.merchant_tx_id]),
        notify=base + reverse("payments:provider-notify", args=[payment.provider]),
    )


def request_hash_of(*, reference: str, body: Mapping[str, Any]) -> str:
    canonical = json.dumps({"case": reference, "body": body}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def payment_create(
    *,
    payable: Payable,
    provider_key: str,
    idempotency_key: str = "",
    body: Mapping[str, Any] | None = None,
    base_url: str = "",
) -> Created:
    """Start paying a payable's fee with one provider.

    Raises Invalid (400) for a provider the payee does not offer, PaymentConflict (409) when
    nothing is owed, the fee is paid already, the payable is closed, or another attempt was
    started at the same moment; IdempotencyConflict (409) when the key was used with another
    body."""
    info = payables.adapter().describe(payable)
    idempotency_key = (idempotency_key or "").strip()[:255]
    request_hash = request_hash_of(
        reference=info.reference, body=body if body is not None else {"provider": provider_key}
    )
    if idempotency_key:
        earlier = _replay(payable=payable, key=idempotency_key, request_hash=request_hash)
        if earlier is not None:
            return Created(payment=earlier, created=False)

    if provider_key not in providers.offered_keys(info.payee.payment_providers):
        raise Invalid(
            errors={
                "provider": [
                    _("%(town)s does not offer this way of paying.") % {"town": info.payee.name}
                ]
            }
        )
    if info.amount_cents <= 0:
        raise PaymentConflict(_("This request costs nothing."))
    if not info.open:
        raise PaymentConflict(_("This request is closed; no fee is due."))

    try:
        with transaction.atomic():
            # One payment decision per payable at a time: lock it first, so two creations
            # queue up instead of deadlocking on the one-active-payment index.
            payables.adapter().lock(payable)
            # Every attempt in one read (a payable has a handful): settled, active, the last.
            attempts = list(Payment.objects.filter(payable=payable).order_by("created_at"))
            if any(p.status in SETTLED for p in attempts):
                raise PaymentConflict(_("The fee for this request has been paid already."))
            active = next((p for p in attempts if p.status in ACTIVE), None)
            if active is not None and active.provider == provider_key and not idempotency_key:
                # Choosing the same way again shows the same QR code or checkout.
                return Created(payment=active, created=False)
            if active is not None and transition(active, Status.CANCELLED, sources=ACTIVE):
                PaymentEvent.objects.create(
                    payment=active,
                    provider=active.provider,
                    kind=PaymentEvent.Kind.SUPERSEDED,
                    message_key=message_key("superseded", active.pk),
                    outcome="cancelled: the payer chose another way",
                )
            payment = new_payment(
                payable=payable,
                info=info,
                provider_key=provider_key,
                idempotency_key=idempotency_key,
                request_hash=request_hash if idempotency_key else "",
                attempt=max((p.attempt for p in attempts), default=0) + 1,
            )
    except (IntegrityError, OperationalError) as error:
        if isinstance(error, OperationalError) and not sqlite_locked(error):
            raise
        if idempotency_key:
            earlier = _replay(payable=payable, key=idempotency_key, request_hash=request_hash)
            if earlier is not None:
                return Created(payment=earlier, created=False)
        raise PaymentConflict(
            _("Another payment for this request was started at the same moment.")
        ) from error
    _start(payment, base_url=base_url)
    return Created(payment=payment, created=True)


def _replay(*, payable: Payable, key: str, request_hash: str) -> Payment | None:
    earlier = Payment.objects.filter(payable=payable, idempotency_key=key).first()
    if earlier is None:
        return None
    if earlier.request_hash != request_hash:
        raise IdempotencyConflict(_("This Idempotency-Key was used with a different request."))
    return earlier


def new_payment(
    *,
    payable: Payable,
    info: PayableInfo,
    provider_key: str,
    idempotency_key: str = "",
    request_hash: str = "",
    attempt: int | None = None,
) -> Payment:
    """A new attempt row (status created) with the payee's account as it is now; `attempt`
    is its number when the caller has read the payable's attempts already."""
    if attempt is None:
        attempt = (
            Payment.objects.filter(payable=payable).aggregate(last=Max("attempt"))["last"] or 0
        ) + 1
    compact = "".join(ch for ch in info.reference if ch.isalnum()).upper()
    body = f"{compact[:19]}{attempt:02d}"
    payee = info.payee
    return Payment.objects.create(
        payable=payable,
        attempt=attempt,
        provider=provider_key,
        status=Status.CREATED,
        amount_cents=info.amount_cents,
        currency="EUR",
        creditor_reference=creditor_reference(body),
        merchant_tx_id=f"{compact}-{attempt:02d}-{secrets.token_hex(6)}",
        payee_municipality=payee,
        payee_name=payee.payee_name,
        payee_iban="".join(payee.iban.split()).upper(),
        payee_bic=(payee.bic or "").strip().upper(),
        # Until an HKR system issues Kassenzeichen, the payable's reference is the cash
        # reference.
        kassenzeichen=info.reference,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
    )


def _start(payment: Payment, *, base_url: str) -> None:
    """Call the provider outside any transaction (it may be a network call)."""
    provider = providers.get(payment.provider)
    try:
        result = provider.start(
            payment_data(payment), urls=callback_urls(payment, base_url=base_url)
        )
    except ProviderError as error:
        logger.warning("payment %s: start failed: %s", payment.pk, error)
        result = None
    with transaction.atomic():
        PaymentEvent.objects.create(
            payment=payment,
            provider=payment.provider,
            kind=PaymentEvent.Kind.START,
            message_key=message_key("start", payment.pk),
            payload=dict(result.details) if result else {},
            outcome=result.status if result else "provider unreachable",
        )
        if result is not None and result.status == StartStatus.PENDING:
            transition(
                payment,
                Status.PENDING,
                sources=[Status.CREATED],
                redirect_url=result.redirect_url,
                provider_reference=result.provider_reference,
                method=result.method,
            )
            note(
                payment,
                notes.note(
                    gettext_noop("Payment started: %(way)s."), way=notes.term(provider.label)
                ),
            )
        else:
            transition(payment, Status.FAILED, sources=[Status.CREATED])
    if payment.status == Status.FAILED:
        raise PaymentConflict(
            _("The payment could not be started. Please try again later or choose another way.")
        )
