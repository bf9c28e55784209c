"""GiroCode (EPC069-12 QR code) payloads and ISO 11649 creditor references.

Pure functions: no database, no Django. The `girocode` provider builds the
payload shown to the payer, and the statement import uses the reference
helpers to find payments in bank statement lines.
"""

from __future__ import annotations

import io
import re

import segno
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

__all__ = [
    "MAX_PAYLOAD_BYTES",
    "MAX_QR_VERSION",
    "creditor_reference",
    "epc_payload",
    "find_creditor_references",
    "is_valid_creditor_reference",
    "qr_svg",
]

#: EPC069-12 limits.
MAX_PAYLOAD_BYTES = 331
MAX_QR_VERSION = 13
MAX_NAME = 70
MAX_REFERENCE = 35
MAX_TEXT = 140
MAX_DISPLAY = 70
MIN_AMOUNT_CENTS = 1
MAX_AMOUNT_CENTS = 999_999_999_99

#: ISO 11649: "RF", two check digits, 1 to 21 alphanumerics.
MAX_REFERENCE_BODY = 21
_BODY_RE = re.compile(r"[A-Z0-9]{1,21}")
_PURPOSE_RE = re.compile(r"[A-Z0-9]{4}")

# A reference starts with "RF" that does not continue a word ("DORF18…" is no
# reference). What follows is read character by character, see
# find_creditor_references.
_RF_START_RE = re.compile(r"(?<![A-Z0-9])RF")
_SEPARATORS = frozenset(" \t\r\n\f\v-\u00a0")


def creditor_reference(body: str) -> str:
    """Return the ISO 11649 reference ``RF`` + check digits + ``body``.

    The body identifies the payment on our side (e.g. ``BKM2026000001``); the
    check digits let banks and our statement import reject typos.
    """
    compact = "".join(body.split()).upper()
    if not _BODY_RE.fullmatch(compact):
        raise ValueError(
            f"A creditor reference body must be 1 to 21 letters A-Z or digits, got {body!r}."
        )
    return f"RF{mod_97_10.calc_check_digits(compact + 'RF')}{compact}"


def is_valid_creditor_reference(value: object) -> bool:
    """Tell whether ``value`` is a valid ISO 11649 reference (spaces and case ignored)."""
    if not isinstance(value, str):
        return False
    compact = iso11649.compact(value)
    # stdnum accepts a bare "RFnn"; a reference without a body identifies nothing.
    return len(compact) > 4 and iso11649.is_valid(compact)


def _readings_after(text: str, start: int) -> list[str]:
    """All valid references that the characters from ``start`` (just after "RF") can spell.

    Payers group the characters as they like ("RF18 5390 0754 7034"), and a
    reference may run straight into the next word. A reading may therefore end
    wherever a group ends; each valid reading is returned, longest first. A
    chance extra reading (a 1 in 97 event per group boundary) is harmless: only
    references of our own pending payments ever match.
    """
    chars: list[str] = []
    ends: list[int] = []
    group_open = False
    for char in text[start:]:
        if char in _SEPARATORS:
            if group_open:
                ends.append(len(chars))
                group_open = False
            continue
        if not ("A" <= char <= "Z" or "0" <= char <= "9"):
            break
        if len(chars) == 2 + MAX_REFERENCE_BODY:
            # Too long for a reference: this group cannot end one.
            group_open = False
            break
        chars.append(char)
        group_open = True
    if group_open:
        ends.append(len(chars))
    if len(chars) < 3 or not (chars[0].isdigit() and chars[1].isdigit()):
        return []
    candidates = ("RF" + "".join(chars[:end]) for end in reversed(ends) if end >= 3)
    return [candidate for candidate in candidates if iso11649.is_valid(candidate)]


def find_creditor_references(text: str) -> list[str]:
    """Find valid RF references in free text, such as a statement's remittance lines.

    Payers type references with spaces, in lower case, or split over lines.
    Results are compact upper case, in order of appearance, without duplicates;
    invalid candidates (wrong check digits) are ignored.
    """
    upper = text.upper()
    found: list[str] = []
    for match in _RF_START_RE.finditer(upper):
        for reference in _readings_after(upper, match.end()):
            if reference not in found:
                found.append(reference)
    return found


def _no_line_breaks(label: str, value: str) -> None:
    if "\n" in value or "\r" in value:
        raise ValueError(f"The {label} must not contain line breaks.")


def _format_amount(amount_cents: int) -> str:
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int):
        raise ValueError(f"The amount must be an integer number of cents, got {amount_cents!r}.")
    if not MIN_AMOUNT_CENTS <= amount_cents <= MAX_AMOUNT_CENTS:
        raise ValueError(
            f"The amount must be between 0.01 and 999999999.99 EUR, got {amount_cents} cents."
        )
    return f"EUR{amount_cents // 100}.{amount_cents % 100:02d}"


def epc_payload(
    *,
    name: str,
    iban: str,
    amount_cents: int,
    reference: str | None = None,
    text: str | None = None,
    bic: str = "",
    display: str | None = None,
    purpose: str = "",
) -> str:
    """Build the text of an EPC069-12 (version 002, UTF-8) SEPA credit transfer QR code.

    Banking apps fill the transfer form from it, so every field is validated
    here: a wrong payload would send a citizen's money astray. ``reference`` is
    an ISO 11649 RF reference (structured), ``text`` free remittance text; only
    one of them may be given. Raises ValueError with a readable message.
    """
    name = (name or "").strip()
    if not name:
        raise ValueError("The beneficiary name is required.")
    if len(name) > MAX_NAME:
        raise ValueError(f"The beneficiary name may have at most {MAX_NAME} characters.")
    _no_line_breaks("beneficiary name", name)

    try:
        iban_compact = IBAN(iban or "").compact
    except SchwiftyException as error:
        raise ValueError(f"Invalid IBAN {iban!r}: {error}") from error

    bic_compact = ""
    if bic and bic.strip():
        try:
            bic_compact = BIC(bic.strip()).compact
        except SchwiftyException as error:
            raise ValueError(f"Invalid BIC {bic!r}: {error}") from error

    amount = _format_amount(amount_cents)

    purpose = (purpose or "").strip().upper()
    if purpose and not _PURPOSE_RE.fullmatch(purpose):
        raise ValueError("The purpose code must be 4 letters or digits (e.g. GOVT).")

    reference = (reference or "").strip()
    text = (text or "").strip()
    if reference and text:
        raise ValueError("Give either a structured reference or a remittance text, not both.")
    if reference:
        if len(reference) > MAX_REFERENCE:
            raise ValueError(f"The reference may have at most {MAX_REFERENCE} characters.")
        if not is_valid_creditor_reference(reference):
            raise ValueError(f"{reference!r} is not a valid ISO 11649 creditor reference.")
        reference = iso11649.compact(reference)
    if len(text) > MAX_TEXT:
        raise ValueError(f"The remittance text may have at most {MAX_TEXT} characters.")
    _no_line_breaks("remittance text", text)

    display = (display or "").strip()
    if len(display) > MAX_DISPLAY:
        raise ValueError(f"The display text may have at most {MAX_DISPLAY} characters.")
    _no_line_breaks("display text", display)

    lines = [
        "BCD",
        "002",
        "1",  # UTF-8
        "SCT",
        bic_compact,
        name,
        iban_compact,
        amount,
        purpose,
        reference,
        text,
        display,
    ]
    # "Nothing after the last element": drop trailing empty optional lines.
    while lines[-1] == "":
        lines.pop()
    payload = "\n".join(lines)
    size = len(payload.encode("utf-8"))
    if size > MAX_PAYLOAD_BYTES:
        raise ValueError(
            f"The QR code payload is {size} bytes; at most {MAX_PAYLOAD_BYTES} are allowed. "
            "Shorten the name, remittance text or display text."
        )
    return payload


def qr_svg(payload: str, *, title: str = "GiroCode", scale: int = 4) -> str:
    """Render ``payload`` as a standalone SVG document (no XML declaration).

    Error correction stays at level M (EPC069-12 forbids boosting it) and the
    symbol at version 13 or lower so every banking app can read it. The
    ``<title>`` names the image for screen readers.
    """
    # Encode ourselves: the payload declares UTF-8 (character set 1), and segno
    # would otherwise pick ISO 8859-1 for text such as "Gebühr".
    qr = segno.make_qr(payload.encode("utf-8"), error="m", boost_error=False)
    if qr.version > MAX_QR_VERSION:
        raise ValueError(
            f"The payload needs QR version {qr.version}; EPC QR codes allow at most "
            f"{MAX_QR_VERSION}."
        )
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", xmldecl=False, title=title, scale=scale, encoding="utf-8")
    return buffer.getvalue().decode("utf-8")
