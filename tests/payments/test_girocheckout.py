"""GiroCheckout hashes and codes: pure functions, no database."""

import hashlib
import hmac

import pytest

from payments.girocheckout import (
    NOTIFY_FIELDS,
    PAYPAGE_NOTIFY_FIELDS,
    RESULT_CODES,
    START_FIELDS,
    body_hash,
    missing_start_fields,
    outcome_for,
    purpose_text,
    request_hash,
    sign_notify,
    signed_start_params,
    verify_body_hash,
    verify_notify,
    verify_start_params,
)

PASSWORD = "project-password-for-tests"


def hmac_md5(message: str, key: str = PASSWORD) -> str:
    return hmac.new(key.encode(), message.encode(), hashlib.md5).hexdigest()


def start_params(**changes):
    params = {
        "merchantId": "1234567",
        "projectId": "1234",
        "merchantTxId": "pay-42-attempt-1",
        "amount": "3000",
        "currency": "EUR",
        "purpose": "BKM-2026-000001",
        "type": "SALE",
        "urlRedirect": "https://portal.example/payments/girocheckout/return/42/",
        "urlNotify": "https://portal.example/payments/girocheckout/notify/",
        "kassenzeichen": "KZ 2026 4711",
    }
    params.update(changes)
    return params


def notify_params(**changes):
    params = {
        "gcReference": "6b65a235-e7c9-4bbc-8fd7-8a5d5c5a2b1e",
        "gcMerchantTxId": "pay-42-attempt-1",
        "gcBackendTxId": "K9Y7H0ZK7N",
        "gcAmount": "3000",
        "gcCurrency": "EUR",
        "gcResultPayment": "4000",
    }
    params.update(changes)
    return params


# --------------------------------------------------------------------- the hash


def test_request_hash_matches_the_published_vector():
    assert request_hash(["1234567", "1234", "Wert1", "Wert2"], "secure") == (
        "4233d4d15a75d651d60ebabe99b3d846"
    )


def test_request_hash_leaves_out_empty_optional_values():
    assert request_hash(["1234567", "", "1234", None, "Wert1", "Wert2", ""], "secure") == (
        "4233d4d15a75d651d60ebabe99b3d846"
    )


def test_request_hash_hashes_utf8():
    assert request_hash(["Gebühr"], PASSWORD) == hmac_md5("Gebühr")


# ------------------------------------------------------------ transaction/start


def test_start_fields_are_in_hash_order():
    assert START_FIELDS == (
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


def test_signed_start_params_adds_the_hash_over_the_values_in_field_order():
    params = start_params()
    signed = signed_start_params(dict(reversed(list(params.items()))), PASSWORD)
    assert list(signed) == [*START_FIELDS, "hash"]
    assert signed["hash"] == hmac_md5("".join(params[name] for name in START_FIELDS))


def test_signed_start_params_leaves_out_empty_optional_fields():
    signed = signed_start_params(start_params(kassenzeichen="", type=None), PASSWORD)
    assert "kassenzeichen" not in signed
    assert "type" not in signed
    assert verify_start_params(signed, PASSWORD)


def test_signed_start_params_sends_numbers_as_text():
    signed = signed_start_params(start_params(merchantId=1234567, amount=3000), PASSWORD)
    assert signed["merchantId"] == "1234567"
    assert signed["amount"] == "3000"
    assert verify_start_params(signed, PASSWORD)


def test_signed_start_params_refuses_a_field_the_hash_would_not_cover():
    with pytest.raises(ValueError, match="Unknown transaction/start fields: locale"):
        signed_start_params(start_params(locale="de"), PASSWORD)


def test_signed_start_params_refuses_missing_required_fields():
    with pytest.raises(ValueError, match="Missing transaction/start fields: amount, urlNotify"):
        signed_start_params(start_params(amount="", urlNotify=None), PASSWORD)


def test_missing_start_fields_lists_what_the_provider_would_answer_5003_for():
    params = start_params()
    del params["merchantTxId"]
    assert missing_start_fields(params) == ["merchantTxId"]
    assert missing_start_fields(start_params()) == []


def test_sandbox_accepts_a_correctly_signed_start_request():
    assert verify_start_params(signed_start_params(start_params(), PASSWORD), PASSWORD)


@pytest.mark.parametrize("name", START_FIELDS)
def test_sandbox_rejects_a_start_request_with_any_tampered_field(name):
    signed = signed_start_params(start_params(), PASSWORD)
    signed[name] = signed[name] + "0"
    assert not verify_start_params(signed, PASSWORD)


def test_sandbox_rejects_a_start_request_with_an_unsigned_extra_field():
    signed = signed_start_params(start_params(), PASSWORD)
    signed["urlNotify2"] = "https://evil.example/"
    assert not verify_start_params(signed, PASSWORD)


def test_sandbox_rejects_a_start_request_signed_with_another_password():
    signed = signed_start_params(start_params(), "another-password")
    assert not verify_start_params(signed, PASSWORD)


def test_sandbox_rejects_a_start_request_without_hash():
    signed = signed_start_params(start_params(), PASSWORD)
    del signed["hash"]
    assert not verify_start_params(signed, PASSWORD)
    assert not verify_start_params({**signed, "hash": ""}, PASSWORD)


def test_sandbox_rejects_an_added_optional_field():
    signed = signed_start_params(start_params(kassenzeichen=""), PASSWORD)
    signed["kassenzeichen"] = "KZ 9999"
    assert not verify_start_params(signed, PASSWORD)


# ---------------------------------------------------------------- notify/redirect


def test_notify_fields_are_in_hash_order():
    assert NOTIFY_FIELDS == (
        "gcReference",
        "gcMerchantTxId",
        "gcBackendTxId",
        "gcAmount",
        "gcCurrency",
        "gcResultPayment",
    )


def test_sign_notify_hashes_the_values_in_notify_order():
    params = notify_params()
    signed = sign_notify(params, PASSWORD)
    assert signed["gcHash"] == hmac_md5("".join(params[name] for name in NOTIFY_FIELDS))
    assert verify_notify(signed, PASSWORD)


def test_verify_notify_accepts_an_upper_case_hash():
    signed = sign_notify(notify_params(), PASSWORD)
    signed["gcHash"] = signed["gcHash"].upper()
    assert verify_notify(signed, PASSWORD)


def test_verify_notify_accepts_an_empty_backend_id():
    # An aborted payment may carry no backend transaction id.
    signed = sign_notify(notify_params(gcBackendTxId="", gcResultPayment="4502"), PASSWORD)
    assert verify_notify(signed, PASSWORD)


@pytest.mark.parametrize("name", NOTIFY_FIELDS)
def test_verify_notify_rejects_any_tampered_field(name):
    signed = sign_notify(notify_params(), PASSWORD)
    signed[name] = "4000" if signed[name] != "4000" else "4900"
    assert not verify_notify(signed, PASSWORD)


def test_verify_notify_rejects_a_dropped_field():
    signed = sign_notify(notify_params(), PASSWORD)
    del signed["gcAmount"]
    assert not verify_notify(signed, PASSWORD)


def test_verify_notify_rejects_a_missing_or_empty_hash():
    signed = sign_notify(notify_params(), PASSWORD)
    assert not verify_notify({**signed, "gcHash": ""}, PASSWORD)
    del signed["gcHash"]
    assert not verify_notify(signed, PASSWORD)


def test_verify_notify_rejects_another_password():
    assert not verify_notify(sign_notify(notify_params(), "another-password"), PASSWORD)


def test_hosted_page_notify_puts_its_fields_first():
    params = notify_params(gcPaymethod="6", gcType="SALE", gcProjectId="1234")
    signed = sign_notify(params, PASSWORD)
    expected = "".join(params[name] for name in PAYPAGE_NOTIFY_FIELDS if name in params)
    assert expected.startswith("6SALE1234")
    assert signed["gcHash"] == hmac_md5(expected)
    assert verify_notify(signed, PASSWORD)
    signed["gcPaymethod"] = "1"
    assert not verify_notify(signed, PASSWORD)


def test_sign_notify_refuses_unknown_fields():
    with pytest.raises(ValueError, match="gcSomething"):
        sign_notify(notify_params(gcSomething="x"), PASSWORD)


# -------------------------------------------------------------------- reply hash


def test_body_hash_signs_the_raw_reply_body():
    body = b'{"rc":0,"msg":"","reference":"6b65a235","redirect":"https://x.example/"}'
    assert body_hash(body, PASSWORD) == hmac_md5(body.decode())
    assert verify_body_hash(body, PASSWORD, body_hash(body, PASSWORD))


def test_verify_body_hash_rejects_a_changed_body_or_missing_header():
    body = b'{"rc":0}'
    header = body_hash(body, PASSWORD)
    assert not verify_body_hash(b'{"rc":1}', PASSWORD, header)
    assert not verify_body_hash(body, PASSWORD, None)
    assert not verify_body_hash(body, PASSWORD, "")
    assert not verify_body_hash(body, "another-password", header)


# ------------------------------------------------------------------------- codes


def test_result_codes_are_the_providers_complete_documented_list():
    # GiroCheckout API documentation, "Result codes" (docs/payments.md lists them).
    assert set(RESULT_CODES) == {
        "4000", "4001", "4002", "4051",
        "4101", "4102", "4103", "4104", "4105", "4106", "4107", "4108",
        "4151", "4152", "4153", "4154",
        "4500", "4501", "4502", "4503", "4504", "4505", "4506", "4900",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("code", "outcome"),
    [
        ("4000", "paid"),
        (4000, "paid"),
        (" 4000 ", "paid"),
        ("4502", "cancelled"),
        ("4500", "pending"),
        *[(code, "failed") for code in RESULT_CODES if code not in ("4000", "4500", "4502")],
        # The API's error codes, which the provider may send as a payment result.
        ("5002", "failed"),
        ("5003", "failed"),
        ("5100", "failed"),
        ("5250", "failed"),
        ("5599", "failed"),
        ("6001", "failed"),
        # Undocumented: left for the status call rather than failed on a guess.
        ("5251", "pending"),
        ("9999", "pending"),
        ("4999", "pending"),
        ("abc", "pending"),
        ("", "pending"),
        (None, "pending"),
    ],
)
def test_outcome_for(code, outcome):
    assert outcome_for(code) == outcome


def test_sandbox_accepts_the_sdks_unsigned_support_fields():
    # GiroSolution's SDK adds sourceId, userAgent, orderId and customerId after hashing.
    signed = signed_start_params(start_params(), PASSWORD)
    signed |= {
        "sourceId": "portal.example;PHP 2.3.18;",
        "userAgent": "Mozilla/5.0",
        "orderId": "BKM-2026-000001",
        "customerId": "Łukasz Yılmaz–Şahin",
    }
    assert verify_start_params(signed, PASSWORD)
    signed["amount"] = "1"
    assert not verify_start_params(signed, PASSWORD)


@pytest.mark.parametrize(
    ("reference", "purpose"),
    [
        ("BKM-2026-000001", "BKM-2026-000001"),
        ("Gebühr BKM-2026-000001 Meldebescheinigung", "Gebühr BKM-2026-000001 Meld"),
        ("  BKM-2026\n000001  ", "BKM-2026 000001"),
    ],
)
def test_purpose_text_fits_the_payers_statement_line(reference, purpose):
    assert purpose_text(reference) == purpose
    assert len(purpose_text(reference)) <= 27
