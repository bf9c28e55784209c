"""GiroCheckout protocol: HMAC-MD5 hashes, field orders and result codes.

Pure functions shared by the `girocheckout` provider (our side) and the
sandbox (the provider's side), so both sign and check exactly the same way.
No HTTP, no database.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping

__all__ = [
    "NOTIFY_FIELDS",
    "PAYPAGE_NOTIFY_FIELDS",
    "REQUIRED_START_FIELDS",
    "RESULT_CODES",
    "START_FIELDS",
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

#: ``gcResultPayment`` codes the portal acts on.
RESULT_CODES: dict[str, str] = {
    "4000": "success",
    "4500": "unknown",
    "4501": "timeout",
    "4502": "aborted by user",
    "4503": "duplicate transaction",
    "4900": "rejected",
    "5002": "bad hash",
    "5003": "missing field",
}
_OUTCOMES: dict[str, str] = {
    "4000": "paid",
    "4502": "cancelled",
    "4501": "failed",
    "4503": "failed",
    "4900": "failed",
    "5002": "failed",
    "5003": "failed",
    "4500": "pending",
}

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

    Fields outside START_FIELDS are rejected: the hash does not cover them.
    """
    if set(params) - set(START_FIELDS) - {"hash"}:
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


def outcome_for(code: object) -> str:
    """Map a ``gcResultPayment`` code to ``paid``, ``failed``, ``cancelled`` or ``pending``.

    An unknown code stays ``pending``: the status call settles it later,
    rather than marking a payment failed on a code we do not understand.
    """
    return _OUTCOMES.get(_value(code).strip(), "pending")


def purpose_text(reference: str) -> str:
    """The ``purpose`` shown on the payer's bank statement: one line, at most 27 characters."""
    return " ".join(reference.split())[:PURPOSE_MAX]
