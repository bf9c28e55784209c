"""GiroCode payloads and ISO 11649 references: pure functions, no database."""

import pytest

from payments.girocode import (
    MAX_PAYLOAD_BYTES,
    creditor_reference,
    epc_payload,
    find_creditor_references,
    is_valid_creditor_reference,
    qr_svg,
)

BERGKAMEN = {"name": "Stadt Bergkamen", "iban": "DE81443500600000100404"}


# ------------------------------------------------------------- creditor reference


@pytest.mark.parametrize(
    ("body", "reference"),
    [
        ("539007547034", "RF18539007547034"),
        ("PK2026000123", "RF73PK2026000123"),
    ],
)
def test_creditor_reference_matches_published_vectors(body, reference):
    assert creditor_reference(body) == reference
    assert is_valid_creditor_reference(reference)


def test_creditor_reference_accepts_lower_case_and_spaces_in_the_body():
    assert creditor_reference(" pk2026 000123") == "RF73PK2026000123"


@pytest.mark.parametrize(
    ("body", "reference"),
    [
        ("BKM2026000001", "RF72BKM2026000001"),
        ("BKM2026000002", "RF45BKM2026000002"),
        ("BKM2026000003", "RF18BKM2026000003"),
        ("BKM2026000004", "RF88BKM2026000004"),
        ("BKM2026000005", "RF61BKM2026000005"),
        ("BKM2026000006", "RF34BKM2026000006"),
        ("BKM2026000007", "RF07BKM2026000007"),
        ("BKM2026000099", "RF45BKM2026000099"),
    ],
)
def test_sample_statement_references_are_what_the_samples_readme_lists(body, reference):
    assert creditor_reference(body) == reference


@pytest.mark.parametrize("body", ["", "   ", "A" * 22, "AB-12", "GEBÜHR1", "RF/1"])
def test_creditor_reference_refuses_bodies_iso_11649_cannot_carry(body):
    with pytest.raises(ValueError, match="1 to 21"):
        creditor_reference(body)


def test_creditor_reference_accepts_the_longest_body():
    reference = creditor_reference("A" * 21)
    assert len(reference) == 25
    assert is_valid_creditor_reference(reference)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("RF18539007547034", True),
        ("rf18 5390 0754 7034", True),
        ("RF19539007547034", False),  # wrong check digits
        ("RF18539007547035", False),  # typo in the body
        ("RF18", False),  # no body
        ("RF00", False),
        ("DE18539007547034", False),
        ("", False),
        (None, False),
        (18539007547034, False),
    ],
)
def test_is_valid_creditor_reference(value, valid):
    assert is_valid_creditor_reference(value) is valid


# ------------------------------------------------------- references in free text


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("RF18539007547034", ["RF18539007547034"]),
        ("Hundesteuer rf18 5390 0754 7034 Max Mustermann", ["RF18539007547034"]),
        ("Meldebescheinigung rf45 bkm2 0260\n0000 2 Max", ["RF45BKM2026000002"]),
        ("RF73 PK20\r\n2600 0123", ["RF73PK2026000123"]),
        ("Ref. RF 73 pk2026000123, danke", ["RF73PK2026000123"]),
        ("RF18-5390-0754-7034", ["RF18539007547034"]),
        ("SVWZ+RF72BKM2026000001 EREF+NOTPROVIDED", ["RF72BKM2026000001"]),
        ("RF72BKM2026000001 Hundesteuer 2026 Mustermann", ["RF72BKM2026000001"]),
    ],
)
def test_find_creditor_references_reads_what_payers_type(text, found):
    assert find_creditor_references(text) == found


def test_find_creditor_references_keeps_order_and_drops_repeats():
    text = "RF73PK2026000123 und RF18 5390 0754 7034, nochmals rf73pk2026000123"
    assert find_creditor_references(text) == ["RF73PK2026000123", "RF18539007547034"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Hundesteuer 2026 Max Mustermann",
        "RF19539007547034",  # wrong check digits
        "Hundesteuer RF27 BKM2 0260 0000 1",  # mistyped check digits
        "DORF18539007547034",  # "RF" inside a word
        "RFID 1234",
        "RF1",
    ],
)
def test_find_creditor_references_ignores_invalid_candidates(text):
    assert find_creditor_references(text) == []


# ------------------------------------------------------------------- EPC payload


def test_epc_payload_for_thirty_euros_with_a_reference_line_by_line():
    payload = epc_payload(
        name="Stadt Bergkamen",
        iban="DE81 4435 0060 0000 1004 04",
        amount_cents=3000,
        reference="RF18 5390 0754 7034",
    )
    lines = payload.split("\n")
    assert len(lines) == 10
    assert lines[0] == "BCD"
    assert lines[1] == "002"
    assert lines[2] == "1"
    assert lines[3] == "SCT"
    assert lines[4] == ""  # BIC is optional in version 002
    assert lines[5] == "Stadt Bergkamen"
    assert lines[6] == "DE81443500600000100404"
    assert lines[7] == "EUR30.00"
    assert lines[8] == ""  # no purpose code
    assert lines[9] == "RF18539007547034"
    assert not payload.endswith("\n")


def test_epc_payload_with_remittance_text_line_by_line():
    payload = epc_payload(
        **BERGKAMEN,
        amount_cents=3000,
        text="Kassenzeichen 4711 Hundesteuer",
        bic="WELADED1UNN",
    )
    lines = payload.split("\n")
    assert len(lines) == 11
    assert lines[0] == "BCD"
    assert lines[1] == "002"
    assert lines[2] == "1"
    assert lines[3] == "SCT"
    assert lines[4] == "WELADED1UNN"
    assert lines[5] == "Stadt Bergkamen"
    assert lines[6] == "DE81443500600000100404"
    assert lines[7] == "EUR30.00"
    assert lines[8] == ""
    assert lines[9] == ""  # no structured reference
    assert lines[10] == "Kassenzeichen 4711 Hundesteuer"


def test_epc_payload_with_display_text_keeps_the_empty_text_line():
    payload = epc_payload(
        **BERGKAMEN,
        amount_cents=1250,
        reference="RF73PK2026000123",
        display="Gebühr Meldebescheinigung",
        purpose="govt",
    )
    assert payload.split("\n") == [
        "BCD",
        "002",
        "1",
        "SCT",
        "",
        "Stadt Bergkamen",
        "DE81443500600000100404",
        "EUR12.50",
        "GOVT",
        "RF73PK2026000123",
        "",
        "Gebühr Meldebescheinigung",
    ]


@pytest.mark.parametrize(
    ("cents", "amount_line"),
    [(1, "EUR0.01"), (5, "EUR0.05"), (1050, "EUR10.50"), (99_999_999_999, "EUR999999999.99")],
)
def test_epc_payload_writes_amounts_with_a_dot_and_two_decimals(cents, amount_line):
    payload = epc_payload(**BERGKAMEN, amount_cents=cents, reference="RF18539007547034")
    assert payload.split("\n")[7] == amount_line


def test_epc_payload_without_reference_or_text_ends_with_the_amount():
    payload = epc_payload(**BERGKAMEN, amount_cents=3000)
    assert payload.split("\n")[-1] == "EUR30.00"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reference": "RF18539007547034", "text": "Hundesteuer"}, "not both"),
        ({"amount_cents": 0}, "between 0.01"),
        ({"amount_cents": -3000}, "between 0.01"),
        ({"amount_cents": 100_000_000_000}, "between 0.01"),
        ({"amount_cents": 30.0}, "integer number of cents"),
        ({"amount_cents": "3000"}, "integer number of cents"),
        ({"amount_cents": True}, "integer number of cents"),
        ({"name": ""}, "name is required"),
        ({"name": "   "}, "name is required"),
        ({"name": "N" * 71}, "at most 70"),
        ({"name": "Stadt\nBergkamen"}, "line breaks"),
        ({"iban": "DE81443500600000100405"}, "Invalid IBAN"),
        ({"iban": ""}, "Invalid IBAN"),
        ({"bic": "WELADED"}, "Invalid BIC"),
        ({"reference": "RF19539007547034"}, "not a valid ISO 11649"),
        ({"reference": "R" * 36}, "at most 35"),
        ({"text": "T" * 141}, "at most 140"),
        ({"text": "Zeile 1\nZeile 2"}, "line breaks"),
        ({"display": "D" * 71}, "at most 70"),
        ({"purpose": "GOVERNMENT"}, "purpose code"),
    ],
)
def test_epc_payload_refuses_what_a_banking_app_would_misread(changes, message):
    arguments = {**BERGKAMEN, "amount_cents": 3000, **changes}
    with pytest.raises(ValueError, match=message):
        epc_payload(**arguments)


def test_epc_payload_accepts_fields_at_their_limits():
    payload = epc_payload(
        name="N" * 70,
        iban=BERGKAMEN["iban"],
        amount_cents=3000,
        text="T" * 140,
        display="D" * 70,
    )
    assert len(payload.encode("utf-8")) <= MAX_PAYLOAD_BYTES


def test_epc_payload_counts_bytes_not_characters():
    # 70 + 140 + 70 characters fit, but umlauts take two bytes in UTF-8.
    with pytest.raises(ValueError, match=r"at most 331 are allowed"):
        epc_payload(
            name="Ä" * 70,
            iban=BERGKAMEN["iban"],
            amount_cents=3000,
            text="Ü" * 140,
            display="Ö" * 70,
        )


# ------------------------------------------------------------------------ QR SVG


def test_qr_svg_is_an_accessible_standalone_svg():
    payload = epc_payload(**BERGKAMEN, amount_cents=3000, reference="RF18539007547034")
    svg = qr_svg(payload)
    assert svg.startswith("<svg")
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert "<title>GiroCode</title>" in svg
    assert "<?xml" not in svg
    assert svg.rstrip().endswith("</svg>")


def test_qr_svg_escapes_a_custom_title():
    svg = qr_svg("BCD", title="Überweisung <30 €>")
    assert "<title>Überweisung &lt;30 €&gt;</title>" in svg


def test_qr_svg_renders_the_largest_allowed_payload():
    payload = epc_payload(
        name="n" * 70,
        iban=BERGKAMEN["iban"],
        amount_cents=3000,
        text="t" * 140,
        display="d" * 70,
    )
    assert len(payload.encode("utf-8")) == MAX_PAYLOAD_BYTES
    assert "<svg" in qr_svg(payload)


def test_qr_svg_refuses_payloads_that_need_a_version_above_13():
    with pytest.raises(ValueError, match="at most 13"):
        qr_svg("x" * 400)  # lower case: byte mode, as EPC payloads are
