"""SEPA credit transfer initiation (pain.001.001.09) for refunds of bank transfers.

The portal never moves money itself: the town's treasury uploads this file to its
bank (online banking or the HKR system) and the bank executes the transfers.

Text goes into the file in the SEPA character set, and a creditor's BIC where it is known
(required for accounts outside the EEA); docs/payments.md (Protocol facts) cites the rules.
"""

from __future__ import annotations

import datetime
import re
import string
import unicodedata
from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone
from lxml import etree

from payments.models import Refund

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"

#: The Latin character set every SEPA bank and customer must support (EPC SEPA Credit
#: Transfer Implementation Guidelines, 1.4 "Character Set"; the same list in the German
#: banks' DFÜ-Abkommen, Anlage 3 "Spezifikation der Datenformate", 2.1 "Zeichensatz").
SEPA_CHARACTERS = frozenset(string.ascii_letters + string.digits + "/-?:().,'+ ")
#: German conversions of the characters the old domestic format (DTAUS) allowed, from the
#: table of Anlage 3, 2.1: umlauts and ß in the table's "also permitted" spelling (AE, ss:
#: how German names are written without them), "&" to "+", "*", "$" and "%" to ".".
_DK = {
    "ä": "ae",
    "ö": "oe",
    "ü": "ue",
    "ß": "ss",
    "ẞ": "SS",
    "&": "+",
    "*": ".",
    "$": ".",
    "%": ".",
}
#: Capital umlauts: "Ae" in a word ("Äpfel"), "AE" in capitals ("ÄRZTE").
_DK_CAPITALS = {"Ä": "A", "Ö": "O", "Ü": "U"}
#: Latin letters without a Unicode decomposition to a basic letter (the others — é, Ş,
#: ễ, … — lose their accents through NFKD), and typographic punctuation.
_LETTERS = {
    "Ł": "L", "ł": "l", "ı": "i", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d", "Ð": "D", "ð": "d",
    "Þ": "Th", "þ": "th", "Æ": "Ae", "æ": "ae", "Œ": "Oe", "œ": "oe", "Ħ": "H", "ħ": "h",
    "Ŧ": "T", "ŧ": "t", "Ŋ": "N", "ŋ": "n", "ĸ": "k", "ſ": "s",
}  # fmt: skip
_PUNCTUATION = {
    "–": "-", "—": "-", "‐": "-", "‑": "-", "‒": "-", "−": "-", "_": "-",
    "„": "'", "“": "'", "”": "'", "‚": "'", "‘": "'", "’": "'", "«": "'", "»": "'",
    "‹": "'", "›": "'", '"': "'", "`": "'", "´": "'", ";": ",", "!": ".", "€": "EUR",
}  # fmt: skip
#: The EEA (EU, Iceland, Liechtenstein, Norway): a transfer to an account in another
#: SEPA country (Switzerland, the United Kingdom, Monaco, …) needs the creditor's BIC
#: (EPC SCT rulebook, AT-C002 / pain.001 CdtrAgt; docs/payments.md).
EEA_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI "
    "SK".split()
)


def sepa_text(value: str, max_length: int) -> str:
    """`value` in the SEPA character set, at most `max_length` characters: "Łukasz
    Yılmaz–Şahin" → "Lukasz Yilmaz-Sahin", "Müller & Söhne" → "Mueller + Soehne".
    What has no Latin form (another script, a symbol) becomes a space."""
    result: list[str] = []
    text = unicodedata.normalize("NFC", value or "")
    for index, char in enumerate(text):
        if char in SEPA_CHARACTERS:
            result.append(char)
        elif char in _DK_CAPITALS:
            following = text[index + 1 : index + 2]
            result.append(_DK_CAPITALS[char] + ("E" if following.isupper() else "e"))
        elif char in _DK or char in _LETTERS or char in _PUNCTUATION:
            result.append(_DK.get(char) or _LETTERS.get(char) or _PUNCTUATION[char])
        else:
            base = "".join(
                part
                for part in unicodedata.normalize("NFKD", char)
                if part in SEPA_CHARACTERS and part != " "
            )
            result.append(base or " ")
    return re.sub(r"\s+", " ", "".join(result)).strip()[:max_length].rstrip()


def bic_required(iban: str) -> bool:
    """Whether a transfer to `iban` needs the receiving bank's BIC (outside the EEA)."""
    return iban[:2].upper() not in EEA_COUNTRIES


def _amount(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}", **attrs)
    if text is not None:
        element.text = text
    return element


def _path(parent: etree._Element, *tags: str, text: str) -> None:
    for tag in tags[:-1]:
        parent = _sub(parent, tag)
    _sub(parent, tags[-1], text)


def credit_transfer_xml(
    *,
    message_id: str,
    debtor_name: str,
    debtor_iban: str,
    debtor_bic: str,
    refunds: Sequence[Refund],
    execution_date: datetime.date | None = None,
) -> bytes:
    """One payment information block debiting the town's account, one transfer per refund."""
    execution_date = execution_date or timezone.localdate()
    count = str(len(refunds))
    total = _amount(sum(refund.amount_cents for refund in refunds))

    root = etree.Element(f"{{{NAMESPACE}}}Document", nsmap={None: NAMESPACE})
    initiation = _sub(root, "CstmrCdtTrfInitn")
    header = _sub(initiation, "GrpHdr")
    _sub(header, "MsgId", message_id[:35])
    _sub(header, "CreDtTm", timezone.now().replace(microsecond=0).isoformat())
    _sub(header, "NbOfTxs", count)
    _sub(header, "CtrlSum", total)
    _path(header, "InitgPty", "Nm", text=sepa_text(debtor_name, 70))

    info = _sub(initiation, "PmtInf")
    _sub(info, "PmtInfId", f"{message_id[:30]}-1")
    _sub(info, "PmtMtd", "TRF")
    _sub(info, "BtchBookg", "true")
    _sub(info, "NbOfTxs", count)
    _sub(info, "CtrlSum", total)
    _path(info, "PmtTpInf", "SvcLvl", "Cd", text="SEPA")
    _path(info, "ReqdExctnDt", "Dt", text=execution_date.isoformat())
    _path(info, "Dbtr", "Nm", text=sepa_text(debtor_name, 70))
    _path(info, "DbtrAcct", "Id", "IBAN", text=debtor_iban)
    agent = _sub(_sub(info, "DbtrAgt"), "FinInstnId")
    if debtor_bic:
        _sub(agent, "BICFI", debtor_bic)
    else:
        _path(agent, "Othr", "Id", text="NOTPROVIDED")
    _sub(info, "ChrgBr", "SLEV")

    for refund in refunds:
        transfer = _sub(info, "CdtTrfTxInf")
        reference = str(refund.payment.payable) if refund.payment_id else str(refund.pk)
        _path(transfer, "PmtId", "EndToEndId", text=sepa_text(f"ERST-{reference}", 35))
        _sub(_sub(transfer, "Amt"), "InstdAmt", _amount(refund.amount_cents), Ccy=refund.currency)
        if refund.creditor_bic:
            _path(transfer, "CdtrAgt", "FinInstnId", "BICFI", text=refund.creditor_bic)
        _path(transfer, "Cdtr", "Nm", text=sepa_text(refund.creditor_name, 70) or "Unbekannt")
        _path(transfer, "CdtrAcct", "Id", "IBAN", text=refund.creditor_iban)
        remittance = refund.remittance or f"Erstattung {reference}"
        _path(transfer, "RmtInf", "Ustrd", text=sepa_text(remittance, 140))

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
