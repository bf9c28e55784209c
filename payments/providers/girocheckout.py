"""GiroCheckout (GiroSolution): redirect to the provider's page, signed notify back.

Credentials per municipality come from `settings.GIROCHECKOUT_CREDENTIALS`
(one JSON variable in the environment, slug → merchant id, project id,
password). With `PAYMENTS_SANDBOX` on, a town without configured credentials
gets deterministic sandbox credentials derived from SECRET_KEY, and every call
goes to the sandbox inside the portal (payments/sandbox.py) instead of the
network: the hashes are real on both sides all the same.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from payments import girocheckout as protocol
from payments.providers import register
from payments.providers.base import (
    CallbackUrls,
    NextStep,
    NextStepKind,
    Notification,
    Outcome,
    PaymentData,
    PaymentProvider,
    ProviderError,
    RefundResult,
    RefundStatus,
    StartResult,
    StartStatus,
    StatusResult,
)

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 20
#: Field orders of the other API calls, as their values enter the hash.
STATUS_FIELDS = ("merchantId", "projectId", "reference")
REFUND_FIELDS = ("merchantId", "projectId", "merchantTxId", "amount", "currency", "reference")


@dataclass(frozen=True)
class Credentials:
    merchant_id: str
    project_id: str
    password: str
    sandbox: bool = False

    def __repr__(self) -> str:  # never print the password into a log
        return f"Credentials(merchant_id={self.merchant_id!r}, project_id={self.project_id!r})"


def _derived(slug: str, purpose: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(),
        f"girocheckout-sandbox:{purpose}:{slug}".encode(),
        hashlib.sha256,
    ).hexdigest()


def sandbox_credentials(slug: str) -> Credentials:
    """Deterministic per town and installation; good for nothing but the sandbox."""
    return Credentials(
        merchant_id=str(1_000_000 + int(_derived(slug, "merchant")[:8], 16) % 9_000_000),
        project_id=str(1_000 + int(_derived(slug, "project")[:8], 16) % 9_000),
        password=_derived(slug, "password")[:32],
        sandbox=True,
    )


def credentials_for(slug: str) -> Credentials | None:
    """The credentials of a municipality, or None when it cannot take GiroCheckout payments."""
    configured = (settings.GIROCHECKOUT_CREDENTIALS or {}).get(slug)
    if configured:
        return Credentials(
            merchant_id=str(configured["merchant_id"]),
            project_id=str(configured["project_id"]),
            password=str(configured["password"]),
        )
    if settings.PAYMENTS_SANDBOX:
        return sandbox_credentials(slug)
    return None


def credentials_for_project(merchant_id: str, project_id: str) -> tuple[str, Credentials] | None:
    """(slug, credentials) of the project the sandbox is asked about."""
    from municipalities.models import Municipality

    slugs = set(Municipality.objects.values_list("slug", flat=True))
    slugs |= set(settings.GIROCHECKOUT_CREDENTIALS or {})
    for slug in sorted(slugs):
        credentials = credentials_for(slug)
        if (
            credentials
            and credentials.merchant_id == str(merchant_id)
            and credentials.project_id == str(project_id)
        ):
            return slug, credentials
    return None


def _post(endpoint: str, fields: dict[str, str]) -> tuple[bytes, str | None]:
    if settings.PAYMENTS_SANDBOX:
        from payments import sandbox

        return sandbox.api(endpoint, fields)
    url = settings.GIROCHECKOUT_API_URL.rstrip("/") + "/" + endpoint
    request = urllib.request.Request(
        url,
        data=urlencode(fields).encode(),
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.read(), response.headers.get("hash")
    except urllib.error.HTTPError as error:
        return error.read(), error.headers.get("hash")
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise ProviderError(f"GiroCheckout {endpoint} unreachable: {error}") from error


def call(endpoint: str, fields: dict[str, str], credentials: Credentials) -> dict:
    """POST one signed API call and return the verified JSON reply."""
    body, received_hash = _post(endpoint, fields)
    if not protocol.verify_body_hash(body, credentials.password, received_hash):
        raise ProviderError(f"GiroCheckout {endpoint}: the reply's hash does not verify.")
    try:
        reply = json.loads(body)
    except ValueError as error:
        raise ProviderError(f"GiroCheckout {endpoint}: the reply is not JSON.") from error
    if not isinstance(reply, dict):
        raise ProviderError(f"GiroCheckout {endpoint}: unexpected reply.")
    return reply


def sign(fields: Mapping[str, object], order: tuple[str, ...], password: str) -> dict[str, str]:
    """Form fields in `order` without empty values, plus their `hash`."""
    signed = {name: str(fields[name]) for name in order if str(fields.get(name) or "") != ""}
    signed["hash"] = protocol.request_hash(signed.values(), password)
    return signed


def _int_or_none(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


class GiroCheckoutProvider(PaymentProvider):
    key = "girocheckout"
    method = "girocheckout"
    label = _("Pay online (GiroCheckout)")
    admin_label = _("GiroCheckout (online payment)")
    brand = "GiroCheckout"
    expires_unfinished = True
    notifies = True
    notify_parameters = (*protocol.PAYPAGE_NOTIFY_FIELDS, "gcHash")

    def _credentials(self, payment: PaymentData) -> Credentials:
        credentials = credentials_for(payment.payee_slug)
        if credentials is None:
            raise ProviderError(f"No GiroCheckout credentials for {payment.payee_slug}.")
        return credentials

    def start(self, payment: PaymentData, *, urls: CallbackUrls) -> StartResult:
        credentials = self._credentials(payment)
        fields = protocol.signed_start_params(
            {
                "merchantId": credentials.merchant_id,
                "projectId": credentials.project_id,
                "merchantTxId": payment.merchant_tx_id,
                "amount": payment.amount_cents,
                "currency": payment.currency,
                "purpose": protocol.purpose_text(payment.purpose),
                "type": "SALE",
                "urlRedirect": urls.redirect,
                "urlNotify": urls.notify,
                "kassenzeichen": payment.kassenzeichen,
            },
            credentials.password,
        )
        reply = call("transaction/start", fields, credentials)
        if str(reply.get("rc")) != "0" or not reply.get("redirect"):
            return StartResult(
                status=StartStatus.FAILED,
                message=str(reply.get("msg") or reply.get("rc")),
                details=reply,
            )
        return StartResult(
            status=StartStatus.PENDING,
            redirect_url=str(reply["redirect"]),
            provider_reference=str(reply.get("reference") or ""),
            method=self.method,
            details=reply,
        )

    def next_step(self, payment: PaymentData) -> NextStep:
        # Once the attempt is over, its checkout page is of no use to anyone.
        return NextStep(
            kind=NextStepKind.REDIRECT, url=payment.redirect_url if payment.active else ""
        )

    def notified_attempt(self, params: Mapping[str, str]) -> str:
        return str(params.get("gcMerchantTxId") or "")

    def verify_notification(
        self, params: Mapping[str, str], *, payment: PaymentData
    ) -> Notification | None:
        credentials = credentials_for(payment.payee_slug)
        if credentials is None or not protocol.verify_notify(params, credentials.password):
            return None
        fields = [name for name in protocol.PAYPAGE_NOTIFY_FIELDS if name in params]
        payload = {name: str(params[name]) for name in fields}
        payload["gcHash"] = str(params.get("gcHash", "")).lower()
        # Notify and redirect of one result carry the same signed values: one key.
        key = hashlib.sha256(
            "&".join(f"{name}={payload[name]}" for name in [*fields, "gcHash"]).encode()
        ).hexdigest()
        code = str(params.get("gcResultPayment", "")).strip()
        return Notification(
            merchant_tx_id=str(params.get("gcMerchantTxId", "")),
            provider_reference=str(params.get("gcReference", "")),
            outcome=Outcome(protocol.outcome_for(code)),
            amount_cents=_int_or_none(params.get("gcAmount")),
            currency=str(params.get("gcCurrency", "")).strip().upper(),
            method=str(params.get("gcPaymethod") or self.method),
            message_key=f"result:{key}",
            payload=payload,
            code=code,
        )

    def fetch_status(self, payment: PaymentData) -> StatusResult | None:
        if not payment.provider_reference:
            return None
        credentials = self._credentials(payment)
        fields = sign(
            {
                "merchantId": credentials.merchant_id,
                "projectId": credentials.project_id,
                "reference": payment.provider_reference,
            },
            STATUS_FIELDS,
            credentials.password,
        )
        reply = call("transaction/status", fields, credentials)
        if str(reply.get("rc")) != "0":
            return StatusResult(outcome=Outcome.PENDING, payload=reply)
        return StatusResult(
            outcome=Outcome(protocol.outcome_for(reply.get("resultPayment"))),
            amount_cents=_int_or_none(reply.get("amount")),
            currency=str(reply.get("currency") or "").upper(),
            method=str(reply.get("paymethod") or self.method),
            payload=reply,
        )

    def refund(self, payment: PaymentData, *, amount_cents: int) -> RefundResult:
        credentials = self._credentials(payment)
        fields = sign(
            {
                "merchantId": credentials.merchant_id,
                "projectId": credentials.project_id,
                "merchantTxId": f"{payment.merchant_tx_id}-R",
                "amount": amount_cents,
                "currency": payment.currency,
                "reference": payment.provider_reference,
            },
            REFUND_FIELDS,
            credentials.password,
        )
        reply = call("transaction/refund", fields, credentials)
        if str(reply.get("rc")) == "0" and str(reply.get("resultPayment", "4000")) == "4000":
            return RefundResult(
                status=RefundStatus.DONE,
                provider_reference=str(reply.get("reference") or ""),
                payload=reply,
            )
        return RefundResult(
            status=RefundStatus.FAILED, message=str(reply.get("msg") or ""), payload=reply
        )


register(GiroCheckoutProvider())
