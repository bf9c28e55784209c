"""The GiroCheckout sandbox: the provider's side of the protocol, inside the portal.

On with `PAYMENTS_SANDBOX` (demo and tests; settings refuse it in production).
It checks the request hash of `transaction/start`, `transaction/status` and
`transaction/refund` with the project password the portal is configured with
(ignoring the SDKs' unsigned support fields such as `sourceId`, as the provider does),
answers with the provider's documented error codes (`rc`), signs its replies, shows a
payment page at the returned redirect URL, and on the payer's choice — pay, abort, or any
documented result code — first notifies the portal (in process, through the same service
function the notify view calls) and then sends the browser to `urlRedirect` with the
signed `gc…` parameters. Its API also answers over HTTP (payments/urls.py), so a client
built on GiroSolution's SDK can talk to it. Nothing leaves the machine.
"""

from __future__ import annotations

import hmac
import json
import secrets
from urllib.parse import urlencode, urlsplit

from django.db import transaction
from django.urls import reverse

from payments import girocheckout as protocol
from payments.models import SandboxTransaction
from payments.providers.girocheckout import (
    REFUND_FIELDS,
    STATUS_FIELDS,
    Credentials,
    GiroCheckoutProvider,
    credentials_for_project,
)

#: The payment page's three buttons; any other documented result is chosen by its code.
RESULTS = {"success": "4000", "abort": "4502", "reject": "4900"}


def result_code(*, outcome: str = "", result: str = "") -> str | None:
    """The result the payer chose on the payment page: a button or a documented code."""
    if outcome:
        return RESULTS.get(outcome)
    result = result.strip()
    return result if result in protocol.RESULT_CODES else None


def result_choices() -> list[tuple[str, str]]:
    """Every documented result but the buttons', for the page's list."""
    buttons = set(RESULTS.values())
    return [
        (code, f"{code} – {label}")
        for code, label in protocol.RESULT_CODES.items()
        if code not in buttons
    ]


def _reply(payload: dict, credentials: Credentials | None) -> tuple[bytes, str | None]:
    body = json.dumps(payload).encode()
    return body, protocol.body_hash(body, credentials.password) if credentials else None


def _signed(fields: dict[str, str], order: tuple[str, ...], password: str) -> bool:
    expected = protocol.request_hash((fields.get(name) for name in order), password)
    received = str(fields.get("hash") or "").lower()
    return bool(received) and hmac.compare_digest(expected.encode(), received.encode())


def api(endpoint: str, fields: dict[str, str]) -> tuple[bytes, str | None]:
    """Answer one API call as GiroCheckout would: (JSON body, `hash` header)."""
    found = credentials_for_project(fields.get("merchantId", ""), fields.get("projectId", ""))
    if found is None:
        return _reply(
            {"rc": protocol.RC_AUTHENTICATION_FAILED, "msg": "authentication failed"}, None
        )
    _slug, credentials = found
    if endpoint == "transaction/start":
        return _start(fields, credentials)
    if endpoint == "transaction/status":
        if not _signed(fields, STATUS_FIELDS, credentials.password):
            return _reply({"rc": protocol.RC_INVALID_HASH, "msg": "invalid hash"}, credentials)
        tx = SandboxTransaction.objects.filter(reference=fields.get("reference")).first()
        if tx is None:
            return _no_such_transaction(credentials)
        return _reply(
            {
                "rc": 0,
                "msg": "",
                "reference": tx.reference,
                "merchantTxId": tx.merchant_tx_id,
                "backendTxId": tx.backend_tx_id,
                "amount": tx.amount,
                "currency": tx.currency,
                "resultPayment": tx.result,
            },
            credentials,
        )
    if endpoint == "transaction/refund":
        return _refund(fields, credentials)
    return _reply({"rc": protocol.RC_INVALID_CALL, "msg": "invalid call"}, credentials)


def _no_such_transaction(credentials: Credentials) -> tuple[bytes, str | None]:
    return _reply(
        {"rc": protocol.RC_NO_SUCH_TRANSACTION, "msg": "transaction does not exist"}, credentials
    )


def _start(fields: dict[str, str], credentials: Credentials) -> tuple[bytes, str | None]:
    if protocol.missing_start_fields(fields):
        return _reply(
            {"rc": protocol.RC_MISSING_FIELD, "msg": "mandatory field not specified"}, credentials
        )
    if not protocol.verify_start_params(fields, credentials.password):
        return _reply({"rc": protocol.RC_INVALID_HASH, "msg": "invalid hash"}, credentials)
    try:
        amount = int(fields["amount"])
    except ValueError:
        amount = 0
    if amount <= 0:
        return _reply({"rc": protocol.RC_INVALID_AMOUNT, "msg": "invalid amount"}, credentials)
    if fields["currency"] != "EUR":
        return _reply({"rc": protocol.RC_INVALID_CURRENCY, "msg": "invalid currency"}, credentials)
    tx = SandboxTransaction.objects.create(
        reference=secrets.token_hex(16),
        merchant_id=fields["merchantId"],
        project_id=fields["projectId"],
        merchant_tx_id=fields["merchantTxId"],
        amount=amount,
        currency=fields["currency"],
        purpose=fields["purpose"][:27],
        url_redirect=fields["urlRedirect"],
        url_notify=fields["urlNotify"],
        kassenzeichen=fields.get("kassenzeichen", ""),
    )
    # The payment page lives on the portal's host, which urlRedirect names.
    origin = urlsplit(tx.url_redirect)
    redirect = f"{origin.scheme}://{origin.netloc}" + reverse(
        "payments:sandbox-pay", args=[tx.reference]
    )
    return _reply(
        {"rc": 0, "msg": "", "reference": tx.reference, "redirect": redirect}, credentials
    )


def _refund(fields: dict[str, str], credentials: Credentials) -> tuple[bytes, str | None]:
    if not _signed(fields, REFUND_FIELDS, credentials.password):
        return _reply({"rc": protocol.RC_INVALID_HASH, "msg": "invalid hash"}, credentials)
    with transaction.atomic():
        tx = (
            SandboxTransaction.objects.select_for_update()
            .filter(reference=fields.get("reference"))
            .first()
        )
        try:
            amount = int(fields.get("amount", ""))
        except ValueError:
            amount = 0
        if tx is None:
            return _no_such_transaction(credentials)
        if tx.result != "4000":
            return _reply({"rc": protocol.RC_INVALID_CALL, "msg": "invalid call"}, credentials)
        if amount <= 0 or tx.refunded_cents + amount > tx.amount:
            return _reply({"rc": protocol.RC_INVALID_AMOUNT, "msg": "invalid amount"}, credentials)
        tx.refunded_cents += amount
        tx.save(update_fields=["refunded_cents"])
    return _reply(
        {
            "rc": 0,
            "msg": "",
            "reference": secrets.token_hex(16),
            "merchantTxId": fields.get("merchantTxId", ""),
            "backendTxId": secrets.token_hex(8),
            "amount": amount,
            "currency": tx.currency,
            "resultPayment": "4000",
        },
        credentials,
    )


def transaction_for_page(reference: str) -> SandboxTransaction | None:
    return SandboxTransaction.objects.filter(reference=reference).first()


def payee_name(tx: SandboxTransaction) -> str:
    from municipalities.models import Municipality

    found = credentials_for_project(tx.merchant_id, tx.project_id)
    municipality = Municipality.objects.filter(slug=found[0]).first() if found else None
    return municipality.payee_name if municipality else ""


def complete(tx: SandboxTransaction, code: str) -> str:
    """The payer's choice ended in result `code`: notify the portal, then return the
    redirect URL."""
    found = credentials_for_project(tx.merchant_id, tx.project_id)
    if found is None:
        raise ValueError("The project of this transaction is no longer configured.")
    _slug, credentials = found
    if not tx.result:
        # A second click (or a reload) replays the first result instead of a new one.
        SandboxTransaction.objects.filter(pk=tx.pk, result="").update(
            result=code, backend_tx_id=secrets.token_hex(8)
        )
        tx.refresh_from_db()
    params = protocol.sign_notify(
        {
            "gcReference": tx.reference,
            "gcMerchantTxId": tx.merchant_tx_id,
            "gcBackendTxId": tx.backend_tx_id,
            "gcAmount": tx.amount,
            "gcCurrency": tx.currency,
            "gcResultPayment": tx.result,
        },
        credentials.password,
    )
    from payments.services.notifications import payment_apply_notification

    payment_apply_notification(provider_key=GiroCheckoutProvider.key, params=params)
    separator = "&" if "?" in tx.url_redirect else "?"
    return tx.url_redirect + separator + urlencode(params)
