"""Bank statements in ISO 20022 camt.053 / camt.054 (versions .001.02 to .001.08).

German banks stopped MT940 in November 2025; municipalities upload camt files
instead, and the `girocode` provider matches their credit lines against
pending payments. This module only turns a file into plain data: no
database, no matching.

Uploaded XML is untrusted. It is read with a non-resolving, non-networking
lxml parser, and any document type declaration (the vehicle of entity
expansion bombs and external entities) is refused outright; camt files never
need one.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import warnings
from copy import deepcopy
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import BinaryIO, Literal

from defusedxml import DefusedXmlException
from django.utils.translation import gettext as _
from lxml import etree

from core.errors import Invalid
from payments.girocode import find_creditor_references, is_valid_creditor_reference

try:  # Deprecated upstream (and due to go), so optional: a second check of the tree.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from defusedxml import lxml as _defused_lxml
except ImportError:  # pragma: no cover - depends on the installed defusedxml
    _defused_lxml = None

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Account",
    "SUPPORTED_VERSIONS",
    "Entry",
    "Statement",
    "StatementError",
    "parse_statement",
]

#: Upload limit; a busy municipal account's daily statement is a few hundred kB.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
#: Message versions whose layout this parser knows (camt.05x.001.NN).
SUPPORTED_VERSIONS = frozenset(f"001.{number:02d}" for number in range(2, 9))

_KINDS = {
    "BkToCstmrStmt": ("camt.053", "Stmt"),
    "BkToCstmrDbtCdtNtfctn": ("camt.054", "Ntfctn"),
}
_NAMESPACE_RE = re.compile(r"camt\.(05\d)\.(\d{3}\.\d{2})$")
# Values banks put into AcctSvcrRef when they have none; they identify nothing.
_PLACEHOLDER_REFERENCES = frozenset({"NONREF", "NOTPROVIDED", "NOTAVAILABLE"})


class StatementError(Invalid, ValueError):
    """The upload is not a statement we can read safely; the message says why (400, naming
    the field `file`)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, errors={"file": [message]})


@dataclass(frozen=True)
class Entry:
    """One booked (or pending) movement, or one transaction of a batch booking.

    ``bank_reference`` is the dedupe key with the account IBAN: the bank's
    AcctSvcrRef, ``<ref>/<n>`` for the n-th transaction of a batch, or
    ``sha256:<hex>`` when the bank sent none; ``#<n>`` is appended when a key
    repeats within one file. Amounts are positive; ``credit`` says the
    direction. A batch without per-transaction amounts stays one entry whose
    references and texts are those of all its transactions (payer and
    end-to-end id: the first transaction's).
    """

    bank_reference: str
    amount_cents: int
    currency: str
    credit: bool
    reversal: bool
    booked: bool
    booking_date: datetime.date | None
    value_date: datetime.date | None
    end_to_end_id: str | None
    debtor_name: str | None
    debtor_iban: str | None
    creditor_references: list[str] = field(default_factory=list)
    unstructured: list[str] = field(default_factory=list)
    debtor_bic: str | None = None


@dataclass(frozen=True)
class Account:
    """The statement's account as the bank names it: ``Acct/Id/IBAN``, or ``Acct/Id/Othr/Id``
    (an account number, a BBAN, or an IBAN written there), with the account servicer's
    BIC or bank code (``Acct/Svcr/FinInstnId``) where given."""

    iban: str = ""
    other_id: str = ""
    servicer_bic: str = ""
    servicer_bank_code: str = ""

    @property
    def label(self) -> str:
        return self.iban or self.other_id

    def matches(self, iban: str, *, bic: str = "") -> bool:
        """Whether this is the account `iban` (of a bank with BIC `bic`, where known).

        An ``Othr/Id`` matches when it is that IBAN, its BBAN (bank code and account
        number), or its account number (leading zeros aside) at a servicer that does not
        contradict the IBAN's bank (bank code, or BIC as the bank registry or `bic` says)."""
        iban = _compact(iban)
        if self.iban:
            return self.iban == iban
        other = _compact(self.other_id)
        if not other:
            return False
        if other == iban:
            return True
        from schwifty import IBAN
        from schwifty.exceptions import SchwiftyException

        try:
            parsed = IBAN(iban)
        except SchwiftyException:
            return False
        if other == _compact(parsed.bban):
            return True
        account = _compact(parsed.account_code)
        if not (other.isdigit() and account and other.lstrip("0") == account.lstrip("0")):
            return False
        if self.servicer_bank_code:
            return self.servicer_bank_code == _compact(parsed.bank_code)
        if self.servicer_bic:
            known = {str(parsed.bic)[:8]} if parsed.bic else set()
            known |= {_compact(bic)[:8]} if bic else set()
            return not known or self.servicer_bic[:8] in known
        return True


@dataclass(frozen=True)
class Statement:
    """The entries of one camt file for one account.

    ``version`` is the message version from the namespace (``"001.08"``), empty
    for a file without namespace; ``file_sha256`` lets an import refuse the
    same file twice.
    """

    account: Account
    message_id: str
    entries: list[Entry]
    kind: Literal["camt.053", "camt.054"]
    version: str
    file_sha256: str = ""

    @property
    def account_iban(self) -> str:
        return self.account.iban


# --------------------------------------------------------------------------- XML


def _read(source: bytes | bytearray | memoryview | BinaryIO, max_bytes: int) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read(max_bytes + 1)
        if not isinstance(data, bytes):
            raise TypeError("Open the statement file in binary mode.")
    else:
        raise TypeError(f"Expected bytes or a binary file, got {type(source).__name__}.")
    if len(data) > max_bytes:
        raise StatementError(
            _("The file is larger than the limit of %(limit)s bytes.") % {"limit": max_bytes}
        )
    if not data.strip():
        raise StatementError(_("The file is empty."))
    return data


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers must not be shared between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _DTD() -> str:  # noqa: N802 - reads as the message it is
    return _("The file contains a document type or entity declaration; statements never need one.")


def _NOT_AMOUNT(where: str, text: str) -> str:  # noqa: N802
    return _("%(where)s: “%(text)s” is not an amount.") % {"where": where, "text": text}


def _refuse_dtd(tree: etree._ElementTree) -> None:
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise StatementError(
            _("The file contains a document type declaration; statements never need one.")
        )


def _parse_xml(data: bytes) -> etree._Element:
    # Refuse before libxml2 sees a DTD at all; the tree check below also
    # catches encodings (UTF-16) this byte scan cannot read.
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise StatementError(_DTD())
    try:
        if _defused_lxml is not None:
            root = _defused_lxml.fromstring(
                data, parser=_parser(), forbid_dtd=True, forbid_entities=True
            )
        else:  # pragma: no cover - depends on the installed defusedxml
            root = etree.fromstring(data, parser=_parser())
    except DefusedXmlException as error:
        raise StatementError(_DTD()) from error
    except etree.XMLSyntaxError as error:
        raise StatementError(
            _("The file is not well-formed XML: %(error)s") % {"error": error}
        ) from error
    _refuse_dtd(root.getroottree())
    return root


def _strip_namespaces(root: etree._Element) -> None:
    """Let the rest of the parser use plain local names, whatever the version's namespace."""
    for element in root.iter():
        if isinstance(element.tag, str):
            element.tag = etree.QName(element).localname
    etree.cleanup_namespaces(root)


def _text(element: etree._Element | None, path: str) -> str:
    if element is None:
        return ""
    return (element.findtext(path) or "").strip()


# ------------------------------------------------------------------------ values


def _cents(amount: etree._Element | None, where: str) -> tuple[int, str]:
    if amount is None:
        raise StatementError(_("%(where)s: the amount is missing.") % {"where": where})
    text = (amount.text or "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise StatementError(_NOT_AMOUNT(where, text)) from error
    if not value.is_finite() or value < 0:
        raise StatementError(_NOT_AMOUNT(where, text))
    cents = value * 100
    if cents != cents.to_integral_value():
        raise StatementError(
            _("%(where)s: “%(text)s” has more than two decimals.") % {"where": where, "text": text}
        )
    currency = (amount.get("Ccy") or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise StatementError(_("%(where)s: the amount has no currency.") % {"where": where})
    return int(cents), currency


def _credit(indicator: str, where: str) -> bool:
    if indicator not in ("CRDT", "DBIT"):
        raise StatementError(
            _("%(where)s: CdtDbtInd must be CRDT or DBIT, not “%(value)s”.")
            % {"where": where, "value": indicator}
        )
    return indicator == "CRDT"


def _date(element: etree._Element | None, where: str) -> datetime.date | None:
    """``Dt`` or ``DtTm`` of a date choice; the calendar day is what bookkeeping needs."""
    text = _text(element, "Dt") or _text(element, "DtTm")
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError as error:
        raise StatementError(
            _("%(where)s: “%(text)s” is not a date.") % {"where": where, "text": text}
        ) from error


def _status(entry: etree._Element) -> str:
    status = entry.find("Sts")
    if status is None:
        return ""
    code = status.find("Cd")  # .001.08: <Sts><Cd>BOOK</Cd></Sts>
    if code is not None:
        return (code.text or "").strip().upper()
    return (status.text or "").strip().upper()  # up to .001.07: <Sts>BOOK</Sts>


def _compact(value: str) -> str:
    return "".join(value.split()).upper()


# ---------------------------------------------------------------------- details


@dataclass
class _Details:
    end_to_end_id: str | None = None
    debtor_name: str | None = None
    debtor_iban: str | None = None
    debtor_bic: str | None = None
    creditor_references: list[str] = field(default_factory=list)
    unstructured: list[str] = field(default_factory=list)

    def merge(self, other: _Details) -> None:
        self.end_to_end_id = self.end_to_end_id or other.end_to_end_id
        self.debtor_name = self.debtor_name or other.debtor_name
        self.debtor_iban = self.debtor_iban or other.debtor_iban
        self.debtor_bic = self.debtor_bic or other.debtor_bic
        for reference in other.creditor_references:
            if reference not in self.creditor_references:
                self.creditor_references.append(reference)
        self.unstructured.extend(other.unstructured)


def _details(transaction: etree._Element) -> _Details:
    end_to_end_id = _text(transaction, "Refs/EndToEndId")
    if end_to_end_id.upper() == "NOTPROVIDED":
        end_to_end_id = ""
    parties = transaction.find("RltdPties")
    debtor_name = _text(parties, "Dbtr/Pty/Nm") or _text(parties, "Dbtr/Nm")
    debtor_iban = _compact(_text(parties, "DbtrAcct/Id/IBAN"))
    # The payer's bank: BICFI from .001.07 on, BIC before.
    agent = transaction.find("RltdAgts/DbtrAgt/FinInstnId")
    debtor_bic = _compact(_text(agent, "BICFI") or _text(agent, "BIC"))
    if not re.fullmatch(r"[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?", debtor_bic):
        debtor_bic = ""

    references: list[str] = []
    unstructured: list[str] = []
    for remittance in transaction.iterfind("RmtInf"):
        for line in remittance.iterfind("Ustrd"):
            text = " ".join((line.text or "").split())
            if text:
                unstructured.append(text)
        for creditor_reference in remittance.iterfind("Strd/CdtrRefInf"):
            reference = _text(creditor_reference, "Ref")
            kind = _text(creditor_reference, "Tp/CdOrPrtry/Cd").upper()
            valid = is_valid_creditor_reference(reference)
            if valid:
                reference = _compact(reference)
            if reference and (kind == "SCOR" or valid) and reference not in references:
                references.append(reference)
    # Payers type the reference into the free text; a bank may have wrapped it
    # across lines, which find_creditor_references reads through.
    for reference in find_creditor_references("\n".join(unstructured)):
        if reference not in references:
            references.append(reference)

    return _Details(
        end_to_end_id=end_to_end_id or None,
        debtor_name=debtor_name or None,
        debtor_iban=debtor_iban or None,
        debtor_bic=debtor_bic or None,
        creditor_references=references,
        unstructured=unstructured,
    )


def _transaction_amount(transaction: etree._Element) -> etree._Element | None:
    amount = transaction.find("Amt")  # .001.03 and later
    if amount is None:
        amount = transaction.find("AmtDtls/TxAmt/Amt")
    return amount


# ---------------------------------------------------------------------- entries


def _derived_reference(entry: etree._Element) -> str:
    """A bank reference for banks that send none: the hash of the entry's canonical XML.

    Namespaces are already stripped and indentation is dropped here, so the
    same entry gives the same key however the file was pretty-printed, and a
    second import of the file is recognised.
    """
    clone = deepcopy(entry)
    for element in clone.iter():
        if element.text is not None and not element.text.strip():
            element.text = None
        if element.tail is not None and not element.tail.strip():
            element.tail = None
    canonical = etree.tostring(clone, method="c14n")
    return "sha256:" + hashlib.sha256(canonical).hexdigest()


def _entries(entry: etree._Element, position: str, used: set[str]) -> list[Entry]:
    amount_cents, currency = _cents(entry.find("Amt"), position)
    credit = _credit(_text(entry, "CdtDbtInd"), position)
    reversal = _text(entry, "RvslInd").lower() in ("true", "1")
    booked = _status(entry) == "BOOK"
    booking_date = _date(entry.find("BookgDt"), position)
    value_date = _date(entry.find("ValDt"), position)

    reference = _text(entry, "AcctSvcrRef")
    if not reference or reference.upper() in _PLACEHOLDER_REFERENCES:
        reference = _derived_reference(entry)

    def unique(key: str) -> str:
        # Identical entries (same payer paying twice the same day, without a
        # bank reference) must stay two entries.
        candidate, number = key, 1
        while candidate in used:
            number += 1
            candidate = f"{key}#{number}"
        used.add(candidate)
        return candidate

    def build(key: str, cents: int, ccy: str, is_credit: bool, details: _Details) -> Entry:
        return Entry(
            bank_reference=unique(key),
            amount_cents=cents,
            currency=ccy,
            credit=is_credit,
            reversal=reversal,
            booked=booked,
            booking_date=booking_date,
            value_date=value_date,
            end_to_end_id=details.end_to_end_id,
            debtor_name=details.debtor_name,
            debtor_iban=details.debtor_iban,
            debtor_bic=details.debtor_bic,
            creditor_references=details.creditor_references,
            unstructured=details.unstructured,
        )

    transactions = entry.findall("NtryDtls/TxDtls")
    amounts = [_transaction_amount(transaction) for transaction in transactions]
    if len(transactions) > 1 and all(amount is not None for amount in amounts):
        # A batch booking with per-transaction amounts: each payer is a line.
        result = []
        for number, (transaction, amount) in enumerate(
            zip(transactions, amounts, strict=True), start=1
        ):
            where = _("%(position)s, transaction %(number)s") % {
                "position": position,
                "number": number,
            }
            cents, ccy = _cents(amount, where)
            indicator = _text(transaction, "CdtDbtInd")
            is_credit = _credit(indicator, where) if indicator else credit
            key = _text(transaction, "Refs/AcctSvcrRef")
            if not key or key.upper() in _PLACEHOLDER_REFERENCES or key == reference:
                key = f"{reference}/{number}"
            result.append(build(key, cents, ccy, is_credit, _details(transaction)))
        return result

    details = _Details()
    for transaction in transactions:
        details.merge(_details(transaction))
    return [build(reference, amount_cents, currency, credit, details)]


def _account(report: etree._Element) -> Account:
    servicer = report.find("Acct/Svcr/FinInstnId")
    return Account(
        iban=_compact(_text(report, "Acct/Id/IBAN")),
        other_id=_compact(_text(report, "Acct/Id/Othr/Id")),
        servicer_bic=_compact(_text(servicer, "BICFI") or _text(servicer, "BIC")),
        servicer_bank_code=_compact(_text(servicer, "ClrSysMmbId/MmbId")),
    )


# ------------------------------------------------------------------------ public


def parse_statement(source: bytes | BinaryIO, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Statement:
    """Parse an uploaded camt.053 or camt.054 file into a Statement.

    Raises StatementError for anything that is not a safe, well-formed camt
    .053/.054 message of a supported version for exactly one account, so the
    upload form can show the reason instead of importing half a file.
    """
    data = _read(source, max_bytes)
    root = _parse_xml(data)

    namespace = etree.QName(root).namespace or ""
    _strip_namespaces(root)
    message = root
    if root.tag == "Document":
        message = next((child for child in root if isinstance(child.tag, str)), None)
    if message is None or message.tag not in _KINDS:
        found = message.tag if message is not None else "nothing"
        raise StatementError(
            _(
                "Not a camt.053 statement or camt.054 notification (expected "
                "Document/BkToCstmrStmt or Document/BkToCstmrDbtCdtNtfctn, found %(found)s)."
            )
            % {"found": found}
        )
    kind, container = _KINDS[message.tag]

    version = ""
    if namespace:
        match = _NAMESPACE_RE.search(namespace)
        if not match or f"camt.{match.group(1)}" != kind:
            raise StatementError(
                _("The namespace “%(namespace)s” does not fit a %(kind)s message.")
                % {"namespace": namespace, "kind": kind}
            )
        version = match.group(2)
        if version not in SUPPORTED_VERSIONS:
            raise StatementError(
                _("%(kind)s.%(version)s is not supported; expected versions .001.02 to .001.08.")
                % {"kind": kind, "version": version}
            )

    reports = message.findall(container)
    if not reports:
        raise StatementError(
            _("The %(kind)s message contains no %(element)s element.")
            % {"kind": kind, "element": container}
        )
    accounts = {_account(report) for report in reports}
    if any(not account.label for account in accounts):
        raise StatementError(_("The statement names no account (Acct/Id/IBAN or Acct/Id/Othr/Id)."))
    if len({account.label for account in accounts}) > 1:
        raise StatementError(_("The file covers several accounts; upload one file per account."))

    used: set[str] = set()
    entries: list[Entry] = []
    for report_number, report in enumerate(reports, start=1):
        for entry_number, entry in enumerate(report.iterfind("Ntry"), start=1):
            position = _("%(element)s %(report)s, entry %(entry)s") % {
                "element": container,
                "report": report_number,
                "entry": entry_number,
            }
            entries.extend(_entries(entry, position, used))

    return Statement(
        account=accounts.pop(),
        message_id=_text(message, "GrpHdr/MsgId"),
        entries=entries,
        kind=kind,
        version=version,
        file_sha256=hashlib.sha256(data).hexdigest(),
    )
