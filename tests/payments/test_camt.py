"""camt.053 / camt.054 parsing: hand-written samples and hostile files, no database."""

import datetime
import hashlib
import io
from pathlib import Path

import pytest
from django.utils import translation

from payments import camt as camt_module
from payments.camt import Entry, Statement, StatementError, parse_statement

SAMPLES = Path(__file__).parent / "samples"
ACCOUNT = "DE81443500600000100404"
NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


@pytest.fixture(autouse=True)
def english():
    """The parser's messages are in the active language; these tests read the English ones
    (test_camt_messages_in_german reads the German)."""
    with translation.override("en"):
        yield


def test_camt_messages_in_german():
    with translation.override("de"), pytest.raises(StatementError) as refused:
        parse_statement(b"<Document><Nothing/></Document>")
    assert str(refused.value).startswith("Kein camt.053-Kontoauszug")
    with translation.override("de"), pytest.raises(StatementError) as refused:
        parse_statement(b"")
    assert str(refused.value) == "Die Datei ist leer."


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def by_reference(statement: Statement) -> dict[str, Entry]:
    return {entry.bank_reference: entry for entry in statement.entries}


def camt(
    entries: str = "",
    *,
    namespace: str = NS,
    message: str = "BkToCstmrStmt",
    container: str = "Stmt",
    account: str = f"<Acct><Id><IBAN>{ACCOUNT}</IBAN></Id></Acct>",
) -> bytes:
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Document{xmlns}><{message}>'
        f"<GrpHdr><MsgId>M1</MsgId></GrpHdr>"
        f"<{container}><Id>S1</Id>{account}{entries}</{container}>"
        f"</{message}></Document>"
    ).encode()


def entry(amount: str = "30.00", indicator: str = "CRDT", extra: str = "") -> str:
    return (
        f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>'
        f"<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-03-17</Dt></BookgDt>"
        f"<AcctSvcrRef>R1</AcctSvcrRef>{extra}</Ntry>"
    )


# ---------------------------------------------------------------- camt.053 v08


@pytest.fixture(scope="module")
def statement_v08() -> Statement:
    return parse_statement(sample("camt053_v08.xml"))


def test_v08_statement_header(statement_v08):
    assert statement_v08.kind == "camt.053"
    assert statement_v08.version == "001.08"
    assert statement_v08.account_iban == ACCOUNT
    assert statement_v08.message_id == "053D2026-03-17T22:05:13.0N260000000"
    assert statement_v08.file_sha256 == hashlib.sha256(sample("camt053_v08.xml")).hexdigest()
    assert [entry.bank_reference for entry in statement_v08.entries] == [
        f"202603170000{number}" for number in range(1, 10)
    ]


def test_v08_credit_with_structured_reference(statement_v08):
    entry = by_reference(statement_v08)["2026031700001"]
    assert entry == Entry(
        bank_reference="2026031700001",
        amount_cents=3000,
        currency="EUR",
        credit=True,
        reversal=False,
        booked=True,
        booking_date=datetime.date(2026, 3, 17),
        value_date=datetime.date(2026, 3, 17),
        end_to_end_id="E2E-20260317-0001",
        debtor_name="Erika Mustermann",
        debtor_iban="DE89370400440532013000",
        creditor_references=["RF72BKM2026000001"],
        unstructured=[],
    )


def test_v08_reference_typed_in_lower_case_across_two_remittance_lines(statement_v08):
    entry = by_reference(statement_v08)["2026031700002"]
    assert entry.creditor_references == ["RF45BKM2026000002"]
    assert entry.unstructured == ["Meldebescheinigung rf45 bkm2 0260", "0000 2 Max Mustermann"]
    assert entry.amount_cents == 4500
    assert entry.end_to_end_id is None  # NOTPROVIDED
    assert entry.debtor_name == "Max Mustermann"


def test_v08_over_and_under_payment_are_read_with_their_real_amounts(statement_v08):
    entries = by_reference(statement_v08)
    over, under = entries["2026031700003"], entries["2026031700004"]
    assert (over.creditor_references, over.amount_cents) == (["RF18BKM2026000003"], 3500)
    assert over.unstructured == ["Gewerbeanmeldung"]
    assert over.debtor_name == "Ahmet Yılmaz"
    assert (under.creditor_references, under.amount_cents) == (["RF88BKM2026000004"], 5000)
    assert under.value_date == datetime.date(2026, 3, 16)
    assert under.booking_date == datetime.date(2026, 3, 17)


def test_v08_reversal_is_a_debit_marked_as_reversal(statement_v08):
    entries = by_reference(statement_v08)
    original, reversal = entries["2026031700005"], entries["2026031700006"]
    assert (original.credit, original.reversal) == (True, False)
    assert (reversal.credit, reversal.reversal) == (False, True)
    assert reversal.amount_cents == original.amount_cents == 1250
    assert reversal.creditor_references == ["RF61BKM2026000005"]
    assert reversal.end_to_end_id == original.end_to_end_id


def test_v08_unknown_and_mistyped_references(statement_v08):
    entries = by_reference(statement_v08)
    assert entries["2026031700007"].creditor_references == ["RF45BKM2026000099"]
    mistyped = entries["2026031700008"]
    assert mistyped.creditor_references == []
    assert mistyped.unstructured == ["Hundesteuer RF27 BKM2 0260 0000 1"]


def test_v08_debit_without_transaction_details(statement_v08):
    fee = by_reference(statement_v08)["2026031700009"]
    assert (fee.credit, fee.reversal, fee.booked) == (False, False, True)
    assert fee.amount_cents == 990
    assert fee.debtor_name is fee.debtor_iban is fee.end_to_end_id is None
    assert fee.creditor_references == fee.unstructured == []


# ---------------------------------------------------------------- camt.053 v02


@pytest.fixture(scope="module")
def statement_v02() -> Statement:
    return parse_statement(sample("camt053_v02.xml"))


def test_v02_statement_header_and_spaced_account_iban(statement_v02):
    assert (statement_v02.kind, statement_v02.version) == ("camt.053", "001.02")
    assert statement_v02.account_iban == ACCOUNT
    assert statement_v02.message_id == "camt53-20260316-0001"
    assert len(statement_v02.entries) == 5


def test_v02_status_as_text_and_debtor_name_directly_under_dbtr(statement_v02):
    entry = by_reference(statement_v02)["2026031600011"]
    assert entry.booked is True
    assert entry.debtor_name == "Erika Mustermann"
    assert entry.debtor_iban == "DE89370400440532013000"
    assert entry.creditor_references == ["RF72BKM2026000001"]
    assert entry.amount_cents == 3000


def test_v02_batch_credit_with_transaction_amounts_becomes_one_line_per_payer(statement_v02):
    entries = by_reference(statement_v02)
    assert "2026031600012" not in entries
    first, second = entries["2026031600012/1"], entries["2026031600012/2"]
    assert (first.amount_cents, second.amount_cents) == (4500, 2500)
    assert first.creditor_references == ["RF45BKM2026000002"]
    assert first.unstructured == ["Meldebescheinigung Ref. rf45bkm2026000002"]
    assert first.debtor_name == "Max Mustermann"
    assert first.end_to_end_id == "E2E-20260316-0012A"
    assert second.creditor_references == ["RF18BKM2026000003"]
    assert second.debtor_name == "Ahmet Yilmaz"
    assert second.end_to_end_id == "E2E-20260316-0012B"
    assert all(entry.credit and entry.booked for entry in (first, second))


def test_v02_reversal_and_debit(statement_v02):
    entries = by_reference(statement_v02)
    reversal = entries["2026031600013"]
    assert (reversal.credit, reversal.reversal, reversal.amount_cents) == (False, True, 6000)
    assert reversal.creditor_references == ["RF88BKM2026000004"]
    assert reversal.value_date == datetime.date(2026, 3, 13)
    refund = entries["2026031600014"]
    assert (refund.credit, refund.reversal, refund.amount_cents) == (False, False, 1000)
    assert refund.debtor_name is None  # the counterparty of a debit is the creditor
    assert refund.unstructured == ["Erstattung Ueberzahlung Hundesteuer"]


# ---------------------------------------------------------------- camt.054 v08


@pytest.fixture(scope="module")
def notification() -> Statement:
    return parse_statement(sample("camt054_v08.xml"))


def test_camt054_header_with_prefixed_namespace(notification):
    assert (notification.kind, notification.version) == ("camt.054", "001.08")
    assert notification.account_iban == ACCOUNT
    assert notification.message_id == "054N20260318091500001"
    assert len(notification.entries) == 4


def test_camt054_double_payment_without_bank_reference_stays_two_entries(notification):
    first, second = notification.entries[:2]
    assert first.bank_reference.startswith("sha256:")
    assert len(first.bank_reference) == len("sha256:") + 64
    assert second.bank_reference == first.bank_reference + "#2"
    for entry in (first, second):
        assert entry.amount_cents == 4000
        assert entry.creditor_references == ["RF34BKM2026000006"]
        assert entry.booking_date == datetime.date(2026, 3, 18)  # from DtTm
        assert entry.debtor_name == "Familie Özdemir"


def test_camt054_derived_references_are_stable_across_imports_and_formatting(notification):
    again = parse_statement(sample("camt054_v08.xml"))
    assert [e.bank_reference for e in again.entries] == [
        e.bank_reference for e in notification.entries
    ]
    # Another pretty-printing and namespace prefix: the same entries, the same keys.
    reformatted = (
        sample("camt054_v08.xml")
        .replace(b"\n", b"")
        .replace(b"  ", b"")
        .replace(b"<c:", b"<x:")
        .replace(b"</c:", b"</x:")
        .replace(b"xmlns:c=", b"xmlns:x=")
    )
    assert [e.bank_reference for e in parse_statement(reformatted).entries] == [
        e.bank_reference for e in notification.entries
    ]


def test_camt054_batch_without_transaction_amounts_is_one_line(notification):
    batch = notification.entries[2]
    assert batch.bank_reference.startswith("sha256:")  # NONREF is no reference
    assert batch.amount_cents == 4250
    assert batch.creditor_references == ["RF72BKM2026000001", "RF61BKM2026000005"]
    assert batch.end_to_end_id == "E2E-20260318-0003A"
    assert batch.debtor_name == "Erika Mustermann"
    assert batch.unstructured == ["rf61bkm2026000005"]


def test_camt054_pending_credit_is_not_booked(notification):
    pending = notification.entries[3]
    assert pending.bank_reference == "2026031800004"
    assert pending.booked is False
    assert pending.booking_date is None
    assert pending.value_date == datetime.date(2026, 3, 19)
    assert pending.creditor_references == ["RF07BKM2026000007"]  # SCOR ref with spaces


# ---------------------------------------------------------------- hostile files


@pytest.mark.parametrize("name", ["bomb.xml", "xxe.xml"])
def test_entity_attacks_are_refused(name):
    with pytest.raises(StatementError, match="declaration"):
        parse_statement(sample(name))


def utf16(name: str) -> bytes:
    # The byte scan for "<!DOCTYPE" cannot read UTF-16: the parser-level checks must.
    return sample(name).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")


@pytest.mark.parametrize("defusedxml", [True, False], ids=["defusedxml", "plain-lxml"])
def test_external_entity_in_utf16_is_refused_after_parsing(defusedxml, monkeypatch):
    if not defusedxml:
        monkeypatch.setattr(camt_module, "_defused_lxml", None)
    with pytest.raises(StatementError, match="declaration"):
        parse_statement(utf16("xxe.xml"))


@pytest.mark.parametrize("defusedxml", [True, False], ids=["defusedxml", "plain-lxml"])
def test_entity_bomb_in_utf16_is_refused_after_parsing(defusedxml, monkeypatch):
    if not defusedxml:
        monkeypatch.setattr(camt_module, "_defused_lxml", None)
    # libxml2 may stop at the amplification limit before our DTD check runs;
    # either way the upload is refused, and quickly.
    with pytest.raises(StatementError):
        parse_statement(utf16("bomb.xml"))


def test_an_external_dtd_is_refused():
    data = b'<?xml version="1.0"?><!DOCTYPE Document SYSTEM "http://evil.example/x.dtd">'
    with pytest.raises(StatementError, match="declaration"):
        parse_statement(data + camt().split(b"?>", 1)[1])


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", b"not xml at all", b"<Document><BkToCstmrStmt>", b"\xff\xfe"],
)
def test_non_xml_is_refused(data):
    with pytest.raises(StatementError, match="not well-formed"):
        parse_statement(data)


def test_an_empty_file_is_refused():
    with pytest.raises(StatementError, match="empty"):
        parse_statement(b"  \n")


def test_files_over_the_size_limit_are_refused():
    data = sample("camt053_v08.xml")
    with pytest.raises(StatementError, match="larger than the limit"):
        parse_statement(data, max_bytes=len(data) - 1)
    with pytest.raises(StatementError, match="larger than the limit"):
        parse_statement(io.BytesIO(data), max_bytes=1024)
    assert parse_statement(data, max_bytes=len(data)).entries


def test_an_open_binary_file_is_accepted():
    with (SAMPLES / "camt053_v02.xml").open("rb") as file:
        assert len(parse_statement(file).entries) == 5


def test_text_instead_of_bytes_is_a_programming_error():
    with pytest.raises(TypeError):
        parse_statement(sample("camt053_v02.xml").decode())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><body>Kontoauszug</body></html>", "found html"),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09">'
            b"<CstmrCdtTrfInitn/></Document>",
            "found CstmrCdtTrfInitn",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08">'
            b"<BkToCstmrAcctRpt/></Document>",
            "found BkToCstmrAcctRpt",
        ),
        (b"<Document/>", "found nothing"),
    ],
)
def test_wrong_root_is_refused(data, message):
    with pytest.raises(StatementError, match=message):
        parse_statement(data)


def test_unsupported_version_is_refused():
    data = camt(entry(), namespace="urn:iso:std:iso:20022:tech:xsd:camt.053.001.13")
    with pytest.raises(StatementError, match="not supported"):
        parse_statement(data)


def test_namespace_of_another_message_is_refused():
    data = camt(entry(), namespace="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08")
    with pytest.raises(StatementError, match="does not fit"):
        parse_statement(data)


# ---------------------------------------------------------------- edge cases


@pytest.mark.parametrize(
    "namespace",
    [f"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{number:02d}" for number in range(2, 9)],
)
def test_versions_02_to_08_are_read(namespace):
    statement = parse_statement(camt(entry(), namespace=namespace))
    assert statement.version == namespace[-6:]
    assert statement.entries[0].amount_cents == 3000


def test_a_document_without_namespace_is_read():
    statement = parse_statement(camt(entry(), namespace=""))
    assert (statement.kind, statement.version) == ("camt.053", "")
    assert len(statement.entries) == 1


def test_a_camt054_built_like_a_statement_is_read():
    statement = parse_statement(
        camt(
            entry(),
            namespace="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02",
            message="BkToCstmrDbtCdtNtfctn",
            container="Ntfctn",
        )
    )
    assert (statement.kind, statement.version) == ("camt.054", "001.02")


def test_a_day_without_movements_has_no_entries():
    assert parse_statement(camt()).entries == []


@pytest.mark.parametrize(
    ("amount", "cents"),
    [("0.1", 10), ("30", 3000), ("1234567.89", 123456789), ("0.10", 10), ("12.500", 1250)],
)
def test_amounts_are_exact_cents(amount, cents):
    assert parse_statement(camt(entry(amount))).entries[0].amount_cents == cents


@pytest.mark.parametrize(
    ("amount", "message"),
    [("12.345", "more than two decimals"), ("abc", "not an amount"), ("-5.00", "not an amount")],
)
def test_impossible_amounts_are_refused(amount, message):
    with pytest.raises(StatementError, match=message):
        parse_statement(camt(entry(amount)))


def test_an_amount_without_currency_is_refused():
    data = camt(entry()).replace(b' Ccy="EUR"', b"")
    with pytest.raises(StatementError, match="no currency"):
        parse_statement(data)


def test_an_unknown_credit_debit_indicator_is_refused():
    with pytest.raises(StatementError, match="CdtDbtInd"):
        parse_statement(camt(entry(indicator="CREDIT")))


def test_an_account_given_as_othr_is_read_with_its_servicer():
    data = camt(
        entry(),
        account="<Acct><Id><Othr><Id>0000 100404</Id></Othr></Id>"
        "<Svcr><FinInstnId><BICFI>WELADED1UNN</BICFI></FinInstnId></Svcr></Acct>",
    )
    statement = parse_statement(data)
    assert statement.account.other_id == "0000100404"
    assert statement.account.servicer_bic == "WELADED1UNN"
    assert statement.account_iban == ""


def test_a_statement_without_account_is_refused():
    data = camt(entry(), account="<Acct><Id></Id></Acct>")
    with pytest.raises(StatementError, match="names no account"):
        parse_statement(data)


def test_a_file_for_several_accounts_is_refused():
    other = "<Stmt><Id>S2</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct></Stmt>"
    data = camt(entry()).replace(b"</Stmt>", b"</Stmt>" + other.encode())
    with pytest.raises(StatementError, match="several accounts"):
        parse_statement(data)


def test_statement_pages_of_one_account_are_merged():
    page = f"<Stmt><Id>S2</Id><Acct><Id><IBAN>{ACCOUNT}</IBAN></Id></Acct>{entry('5.00')}</Stmt>"
    data = camt(entry()).replace(b"</Stmt>", b"</Stmt>" + page.encode())
    statement = parse_statement(data)
    # The second page reuses the bank reference "R1": still two distinct keys.
    assert [(e.bank_reference, e.amount_cents) for e in statement.entries] == [
        ("R1", 3000),
        ("R1#2", 500),
    ]


def test_structured_reference_of_another_type_counts_only_when_it_is_a_valid_rf():
    remittance = (
        "<NtryDtls><TxDtls><RmtInf><Strd>"
        "<CdtrRefInf><Tp><CdOrPrtry><Cd>DISP</Cd></CdOrPrtry></Tp><Ref>4711</Ref></CdtrRefInf>"
        "<CdtrRefInf><Ref>rf18 5390 0754 7034</Ref></CdtrRefInf>"
        "<CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>KZ-2026-1</Ref></CdtrRefInf>"
        "</Strd><Ustrd>RF18539007547034</Ustrd></RmtInf></TxDtls></NtryDtls>"
    )
    entry_ = parse_statement(camt(entry(extra=remittance))).entries[0]
    assert entry_.creditor_references == ["RF18539007547034", "KZ-2026-1"]


def test_transaction_level_debit_inside_a_batch():
    details = (
        "<NtryDtls>"
        "<TxDtls><Refs><AcctSvcrRef>T1</AcctSvcrRef></Refs>"
        '<Amt Ccy="EUR">30.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></TxDtls>'
        "<TxDtls><Refs><AcctSvcrRef>T2</AcctSvcrRef></Refs>"
        '<Amt Ccy="EUR">5.00</Amt><CdtDbtInd>DBIT</CdtDbtInd></TxDtls>'
        "</NtryDtls>"
    )
    entries = parse_statement(camt(entry("25.00", extra=details))).entries
    assert [(e.bank_reference, e.amount_cents, e.credit) for e in entries] == [
        ("T1", 3000, True),
        ("T2", 500, False),
    ]


def test_older_status_text_other_than_book_is_not_booked():
    data = camt(entry()).replace(b"<Sts><Cd>BOOK</Cd></Sts>", b"<Sts>PDNG</Sts>")
    assert parse_statement(data).entries[0].booked is False


def test_a_bad_date_is_refused():
    data = camt(entry()).replace(b"2026-03-17", b"17.03.2026")
    with pytest.raises(StatementError, match="not a date"):
        parse_statement(data)
