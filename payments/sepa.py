"""SEPA credit transfer initiation (pain.001.001.09) for refunds of bank-transfer fees.

The portal never moves money itself: the town's treasury uploads this file to its
bank (online banking or the HKR system) and the bank executes the transfers.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone
from lxml import etree

from payments.models import Refund

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"


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
    _path(header, "InitgPty", "Nm", text=debtor_name[:70])

    info = _sub(initiation, "PmtInf")
    _sub(info, "PmtInfId", f"{message_id[:30]}-1")
    _sub(info, "PmtMtd", "TRF")
    _sub(info, "BtchBookg", "true")
    _sub(info, "NbOfTxs", count)
    _sub(info, "CtrlSum", total)
    _path(info, "PmtTpInf", "SvcLvl", "Cd", text="SEPA")
    _path(info, "ReqdExctnDt", "Dt", text=execution_date.isoformat())
    _path(info, "Dbtr", "Nm", text=debtor_name[:70])
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
        _path(transfer, "PmtId", "EndToEndId", text=f"ERST-{reference}"[:35])
        _sub(_sub(transfer, "Amt"), "InstdAmt", _amount(refund.amount_cents), Ccy=refund.currency)
        if refund.creditor_bic:
            _path(transfer, "CdtrAgt", "FinInstnId", "BICFI", text=refund.creditor_bic)
        _path(transfer, "Cdtr", "Nm", text=(refund.creditor_name or "Unbekannt")[:70])
        _path(transfer, "CdtrAcct", "Id", "IBAN", text=refund.creditor_iban)
        _path(
            transfer, "RmtInf", "Ustrd", text=(refund.remittance or f"Erstattung {reference}")[:140]
        )

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
