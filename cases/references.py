"""Case references and access tokens.

A reference reads well on the phone: `BKM-2026-7KQ4M2` = town code, year, five random
characters from an alphabet without look-alikes (no 0/O, 1/I/L) and one check character,
so a mistyped reference is caught before any look-up."""

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # 31 symbols; prime, so the check catches swaps
RANDOM_LENGTH = 5


def check_character(body: str) -> str:
    total = sum((i + 1) * ALPHABET.index(c) for i, c in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def new_reference(code: str, year: int) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return f"{code}-{year}-{body}{check_character(body)}"


def is_well_formed(reference: str) -> bool:
    parts = reference.split("-")
    if len(parts) != 3 or len(parts[2]) != RANDOM_LENGTH + 1:
        return False
    body, check = parts[2][:-1], parts[2][-1]
    return all(c in ALPHABET for c in parts[2]) and check_character(body) == check


def new_token_salt() -> str:
    return secrets.token_hex(16)


def access_token_for(reference: str, salt: str, *, secret: str | None = None) -> str:
    """The citizen's access token: HMAC of the reference and a per-case salt under a key
    derived from `secret` (default: SECRET_KEY). The database holds only the salt, so a dump
    alone opens no case, yet the process steps can put the link into later e-mails
    (ADR 0003). A new salt revokes the case's link (`case_renew_link`)."""
    secret = settings.SECRET_KEY if secret is None else secret
    key = hashlib.sha256(("case-access-token:" + secret).encode()).digest()
    mac = hmac.new(key, f"{reference}:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:24]).decode().rstrip("=")


def token_opens(token: str | None, *, reference: str, salt: str) -> bool:
    """Whether `token` opens the case: made under SECRET_KEY or any key of
    SECRET_KEY_FALLBACKS, as Django checks its own signatures. Removing a key from the
    fallbacks revokes every link made with it (docs/operations.md, Key rotation)."""
    if not token:
        return False
    presented = token.encode("utf-8", "surrogatepass")
    return any(
        hmac.compare_digest(access_token_for(reference, salt, secret=secret).encode(), presented)
        for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    )


def hash_token(token: str) -> str:
    """SHA-256 of a token (what earlier versions stored beside the salt)."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str | None, token_hash: str) -> bool:
    if not token:
        return False
    return hmac.compare_digest(hash_token(token), token_hash)


def tracking_path(reference: str, token: str, *, anchor: str = "") -> str:
    """The path of a case's tracking page, opened by its access token (citizen/urls.py)."""
    path = f"{reverse('track', args=[reference])}?{urlencode({'access_token': token})}"
    return f"{path}#{anchor}" if anchor else path


# Where the citizen's pages keep access tokens in the browser's session: the cases this
# browser filed, and those it chose a way to pay for (a checkout brings it back to them).
SUBMITTED_SESSION_KEY = "submitted_cases"
PAYMENT_SESSION_KEY = "payment_case_tokens"


def token_in_session(session: Mapping[str, Any], reference: str) -> str | None:
    for key in (PAYMENT_SESSION_KEY, SUBMITTED_SESSION_KEY):
        token = (session.get(key) or {}).get(reference)
        if token:
            return token
    return None
