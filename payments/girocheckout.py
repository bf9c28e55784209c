"""GiroCheckout protocol: HMAC-MD5 hashes, field orders and result codes.

Pure functions shared by the `girocheckout` provider (our side) and the
sandbox (the provider's side), so both sign and check exactly the same way.
No HTTP, no database; the result codes' meanings are translatable (the sandbox's page
shows them).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = [
    "ERROR_CODE_RANGES",
    "NOTIFY_FIELDS",
    "PAYPAGE_NOTIFY_FIELDS",
    "REQUIRED_START_FIELDS",
    "RESULT_CODES",
    "START_FIELDS",
    "SUPPORT_FIELDS",
    "body_hash",
    "missing_start_fields",
    "outcome_for",
    "purpose_text",
    "request_hash",
    "sign_notify",
    "signed_start_params",
    "verify_body_hash",
    "verify_notify",
    "verify_start_params",
]

#: Fields of ``transaction/start`` in the order their values enter the hash.
START_FIELDS: tuple[str, ...] = (
    "merchantId",
    "projectId",
    "merchantTxId",
    "amount",
    "currency",
    "purpose",
    "type",
    "urlRedirect",
    "urlNotify",
    "kassenzeichen",
)
#: The provider answers 5003 (missing field) without these.
REQUIRED_START_FIELDS: tuple[str, ...] = (
    "merchantId",
    "projectId",
    "merchantTxId",
    "amount",
    "currency",
    "purpose",
    "urlRedirect",
    "urlNotify",
)

#: Parameters of the notify and redirect calls, in hash order (``gcHash`` aside).
NOTIFY_FIELDS: tuple[str, ...] = (
    "gcReference",
    "gcMerchantTxId",
    "gcBackendTxId",
    "gcAmount",
    "gcCurrency",
    "gcResultPayment",
)
#: The hosted payment page (``paypage/init``) puts three fields in front and
#: may append method-specific ones; order as in GiroSolution's SDK.
PAYPAGE_NOTIFY_FIELDS: tuple[str, ...] = (
    "gcPaymethod",
    "gcType",
    "gcProjectId",
    *NOTIFY_FIELDS,
    "gcPkn",
    "gcCardnumber",
    "gcCardExpDate",
    "gcAccountHolder",
    "gcIban",
)
_PAYPAGE_MARKERS = ("gcPaymethod", "gcType", "gcProjectId")

#: Every ``gcResultPayment`` / ``resultPayment`` code GiroCheckout documents ("Result codes"
#: of the GiroCheckout API documentation, api.girocheckout.de, en:girocheckout:resultcodes;
#: the codes are the same in GiroSolution's SDKs), with what it means. Only 4000 is money
#: received; 4500 says the provider does not know yet.
RESULT_CODES: dict[str, Promise] = {
    "4000": _("Transaction successful"),
    # giropay
    "4001": _("Bank offline"),
    "4002": _("Online banking account invalid"),
    # direct debit
    "4051": _("Invalid bank account"),
    # credit card
    "4101": _("Issuing country invalid or unknown"),
    "4102": _("3-D Secure or Mastercard SecureCode authorisation failed"),
    "4103": _("Validity date of the card exceeded"),
    "4104": _("Invalid or unknown card type"),
    "4105": _("Limited-use card"),
    "4106": _("Invalid pseudo card number"),
    "4107": _("Card stolen, suspicious or marked to be withdrawn"),
    "4108": _("Telephone approval needed"),
    # PayPal
    "4151": _("Invalid PayPal token"),
    "4152": _("Post-processing necessary at PayPal"),
    "4153": _("Change the PayPal payment method"),
    "4154": _("PayPal payment not completed"),
    # general
    "4500": _("Payment result unknown"),
    "4501": _("Timeout / no user input"),
    "4502": _("Aborted by the user"),
    "4503": _("Duplicate transaction"),
    "4504": _("Suspicion of manipulation or payment method temporarily blocked"),
    "4505": _("Payment method blocked or rejected"),
    "4506": _("Invalid Bluecode barcode"),
    "4900": _("Transaction rejected"),
}
#: The API's error codes (``rc``), which "may also be used as gcResultPayment in the
#: notification or redirect messages" (GiroCheckout API documentation, "Error codes"): the
#: ranges that page documents. Any of them as a payment result means nothing was paid.
ERROR_CODE_RANGES: tuple[range, ...] = (
    range(5000, 5100),  # API call error
    range(5100, 5151),  # payment processor error during initialisation
    range(5200, 5251),  # giropay error during initialisation
    range(5500, 5600),  # API call error
    range(6000, 6021),  # giropay bank status
)
#: ``rc`` values the sandbox answers with, as the error-code page names them.
RC_OK = 0
RC_AUTHENTICATION_FAILED = 5000
RC_INVALID_CALL = 5004
RC_INVALID_HASH = 5002
RC_MISSING_FIELD = 5003
RC_INVALID_AMOUNT = 5030
RC_INVALID_CURRENCY = 5033
RC_NO_SUCH_TRANSACTION = 5034

#: Fields GiroSolution's SDKs send beside a request's signed fields, outside the hash:
#: ``sourceId`` (host;SDK version;plug-in), ``userAgent``, ``orderId``, ``customerId``
#: (GiroCheckout_SDK_Request::submit adds them after computing the hash, "for support
#: reasons"). The provider's side ignores them when checking the hash.
SUPPORT_FIELDS: tuple[str, ...] = ("sourceId", "userAgent", "orderId", "customerId")


def _code(value: object) -> str:
    return _value(value).strip()


def outcome_for(code: object) -> str:
    """Map a ``gcResultPayment`` code to ``paid``, ``failed``, ``cancelled`` or ``pending``.

    4000 is paid and 4502 (the payer aborted) cancelled; 4500 (result unknown) stays
    ``pending`` for the status call to settle. Every other documented result code, and any
    code of the documented error ranges, is ``failed`` at once, so that the payer can choose
    again. A code the documentation does not name stays ``pending`` rather than failing a
    payment on a code we do not understand.
    """
    text = _code(code)
    if text == "4000":
        return "paid"
    if text == "4502":
        return "cancelled"
    if text in RESULT_CODES and text != "4500":
        return "failed"
    if text.isdigit() and any(int(text) in span for span in ERROR_CODE_RANGES):
        return "failed"
    return "pending"


PURPOSE_MAX = 27


def _value(value: object) -> str:
    return "" if value is None else str(value)


def request_hash(values: Iterable[object], password: str) -> str:
    """HMAC-MD5 (hex) of the concatenated values, keyed with the project password.

    This is GiroCheckout's signature for requests, notifications and
    redirects; empty optional values simply contribute nothing.
    """
    message = "".join(_value(value) for value in values)
    return hmac.new(password.encode("utf-8"), message.encode("utf-8"), hashlib.md5).hexdigest()


def _hash_fields(params: Mapping[str, object], fields: Iterable[str], password: str) -> str:
    return request_hash((params.get(name) for name in fields), password)


def _same(expected: str, received: object) -> bool:
    if not isinstance(received, str) or not received:
        return False
    # Hex digests: compare case-insensitively, in constant time.
    return hmac.compare_digest(expected.encode("ascii"), received.strip().lower().encode("utf-8"))


def missing_start_fields(params: Mapping[str, object]) -> list[str]:
    """Required ``transaction/start`` fields that are absent or empty (answer 5003)."""
    return [name for name in REQUIRED_START_FIELDS if _value(params.get(name)) == ""]


def signed_start_params(params: Mapping[str, object], password: str) -> dict[str, str]:
    """Return the form fields for ``transaction/start`` with their ``hash``.

    Empty values are left out of both the form and the hash. A field the
    hash would not cover is refused rather than sent unsigned.
    """
    unknown = sorted(set(params) - set(START_FIELDS) - {"hash"})
    if unknown:
        raise ValueError(f"Unknown transaction/start fields: {', '.join(unknown)}.")
    missing = missing_start_fields(params)
    if missing:
        raise ValueError(f"Missing transaction/start fields: {', '.join(missing)}.")
    signed = {
        name: _value(params.get(name)) for name in START_FIELDS if _value(params.get(name)) != ""
    }
    signed["hash"] = request_hash(signed.values(), password)
    return signed


def verify_start_params(params: Mapping[str, object], password: str) -> bool:
    """Check a ``transaction/start`` request's ``hash`` (the sandbox plays the provider).

    The SDKs' support fields (SUPPORT_FIELDS, e.g. ``sourceId``) travel outside the hash and
    are ignored; any other field outside START_FIELDS is rejected: the hash does not cover it.
    """
    if set(params) - set(START_FIELDS) - set(SUPPORT_FIELDS) - {"hash"}:
        return False
    return _same(_hash_fields(params, START_FIELDS, password), params.get("hash"))


def _notify_fields(params: Mapping[str, object]) -> tuple[str, ...]:
    if any(name in params for name in _PAYPAGE_MARKERS):
        return PAYPAGE_NOTIFY_FIELDS
    return NOTIFY_FIELDS


def sign_notify(params: Mapping[str, object], password: str) -> dict[str, str]:
    """Return notify/redirect parameters with ``gcHash`` (the sandbox's side)."""
    fields = _notify_fields(params)
    unknown = sorted(set(params) - set(fields) - {"gcHash"})
    if unknown:
        raise ValueError(f"Unknown notify fields: {', '.join(unknown)}.")
    signed = {name: _value(params[name]) for name in fields if name in params}
    signed["gcHash"] = _hash_fields(signed, fields, password)
    return signed


def verify_notify(params: Mapping[str, object], password: str) -> bool:
    """Check ``gcHash`` of a notify or redirect call before believing a word of it."""
    return _same(_hash_fields(params, _notify_fields(params), password), params.get("gcHash"))


def body_hash(body: bytes, password: str) -> str:
    """HMAC-MD5 (hex) of a reply body, as sent in the reply's ``hash`` header."""
    return hmac.new(password.encode("utf-8"), body, hashlib.md5).hexdigest()


def verify_body_hash(body: bytes, password: str, received: str | None) -> bool:
    """Check a reply's ``hash`` header; a reply that fails it must be ignored."""
    return _same(body_hash(body, password), received)


def purpose_text(reference: str) -> str:
    """The ``purpose`` shown on the payer's bank statement: one line, at most 27 characters."""
    return " ".join(reference.split())[:PURPOSE_MAX]
