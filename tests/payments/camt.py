"""Write camt.053.001.08 statements for tests, the way a bank would: one account, booked
credits with the payer's name, account and bank. (tests/payments/samples/ holds fixed files;
this builds the ones a test needs with its own payers and references.)"""

from dataclasses import dataclass
from xml.sax.saxutils import escape

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


@dataclass
class Credit:
    amount: str  # "35.00"
    reference: str  # RF creditor reference
    debtor_name: str = "Łukasz Yılmaz–Şahin"
    debtor_iban: str = "DE89370400440532013000"
    debtor_bic: str = ""
    bank_reference: str = ""
    currency: str = "EUR"


def _account(iban: str, other: str, servicer_bic: str, servicer_bank_code: str) -> str:
    if other:
        identification = f"<Othr><Id>{escape(other)}</Id></Othr>"
    else:
        identification = f"<IBAN>{iban}</IBAN>"
    institution = ""
    if servicer_bic:
        institution += f"<BICFI>{servicer_bic}</BICFI>"
    if servicer_bank_code:
        institution += (
            "<ClrSysMmbId><ClrSysId><Cd>DEBLZ</Cd></ClrSysId>"
            f"<MmbId>{servicer_bank_code}</MmbId></ClrSysMmbId>"
        )
    servicer = f"<Svcr><FinInstnId>{institution}</FinInstnId></Svcr>" if institution else ""
    return f"<Acct><Id>{identification}</Id><Ccy>EUR</Ccy>{servicer}</Acct>"


def _entry(number: int, credit: Credit) -> str:
    reference = credit.bank_reference or f"2026112{number:06d}"
    agent = (
        f"<RltdAgts><DbtrAgt><FinInstnId><BICFI>{credit.debtor_bic}</BICFI></FinInstnId>"
        "</DbtrAgt></RltdAgts>"
        if credit.debtor_bic
        else ""
    )
    return f"""
      <Ntry>
        <Amt Ccy="{credit.currency}">{credit.amount}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-11-27</Dt></BookgDt>
        <ValDt><Dt>2026-11-27</Dt></ValDt>
        <AcctSvcrRef>{reference}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
          <Amt Ccy="{credit.currency}">{credit.amount}</Amt>
          <RltdPties>
            <Dbtr><Pty><Nm>{escape(credit.debtor_name)}</Nm></Pty></Dbtr>
            <DbtrAcct><Id><IBAN>{credit.debtor_iban}</IBAN></Id></DbtrAcct>
          </RltdPties>
          {agent}
          <RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>
            <Ref>{credit.reference}</Ref></CdtrRefInf></Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>"""


def camt053(
    credits: list[Credit],
    *,
    iban: str = "DE81443500600000100404",
    other: str = "",
    servicer_bic: str = "",
    servicer_bank_code: str = "",
    message_id: str = "STMT-2026-11-27-001",
) -> bytes:
    """A camt.053.001.08 statement of `iban` (or of the account `other`, given as
    Acct/Id/Othr/Id the way some banks name it) with one booked credit per `credits`."""
    entries = "".join(_entry(number, credit) for number, credit in enumerate(credits, start=1))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{NAMESPACE}">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>2026-11-28T06:00:00+01:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>{message_id}-1</Id>
      <CreDtTm>2026-11-28T06:00:00+01:00</CreDtTm>
      {_account(iban, other, servicer_bic, servicer_bank_code)}
      {entries}
    </Stmt>
  </BkToCstmrStmt>
</Document>
""".encode()
