"""Case references: readable on the phone, not guessable, unique under load (docs/api.md)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from cases.models import Case
from cases.references import (
    ALPHABET,
    access_token_for,
    check_character,
    is_well_formed,
    new_reference,
    token_opens,
)
from tests.factories import MunicipalityFactory, ServiceDefinitionFactory, ServiceOfferingFactory


def test_a_reference_has_town_code_year_and_six_unambiguous_characters():
    reference = new_reference("BKM", 2026)
    code, year, tail = reference.split("-")
    assert (code, year) == ("BKM", "2026")
    assert len(tail) == 6
    assert set(tail) <= set(ALPHABET)
    assert not set(tail) & set("01OIL")
    assert is_well_formed(reference)


def test_the_check_character_catches_a_mistyped_or_swapped_character():
    reference = new_reference("BKM", 2026)
    head, tail = reference[:-6], reference[-6:]
    for position in range(5):
        for replacement in ALPHABET:
            if replacement != tail[position]:
                typo = tail[:position] + replacement + tail[position + 1 :]
                assert not is_well_formed(head + typo)
    for position in range(4):
        if tail[position] != tail[position + 1]:
            swapped = tail[:position] + tail[position + 1] + tail[position] + tail[position + 2 :]
            assert not is_well_formed(head + swapped)


@pytest.mark.parametrize(
    "bad", ["", "BKM-2026", "BKM-2026-7KQ4M", "BKM-2026-7KQ4M22", "BKM-2026-0OIL11"]
)
def test_malformed_references_are_recognised(bad):
    assert not is_well_formed(bad)


def test_references_are_random_not_sequential():
    drawn = [new_reference("BKM", 2026)[-6:-1] for _ in range(500)]
    # 500 draws from 31^5 ≈ 28.6 million bodies collide with a chance of about 0.4 % (the
    # submission redraws on a collision), so allow a few; a counter or a constant would
    # fail at once.
    assert len(set(drawn)) >= 495
    assert drawn != sorted(drawn)
    assert check_character("22222") == ALPHABET[0]


def test_the_access_token_is_derived_from_the_key_and_opens_under_it_or_a_fallback(settings):
    reference = "BKM-2026-7KQ4M2"
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "key-a", []
    token = access_token_for(reference, "salt")
    assert token == access_token_for(reference, "salt")
    assert token != access_token_for(reference, "other-salt")
    assert token_opens(token, reference=reference, salt="salt")
    assert not token_opens(token, reference=reference, salt="other-salt")  # a new salt revokes
    assert not token_opens(token, reference="BKM-2026-7KQ4M3", salt="salt")
    for wrong in (None, "", "x" * 32, "\x00", "Łukasz"):
        assert not token_opens(wrong, reference=reference, salt="salt")

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "key-b", ["key-a"]
    assert access_token_for(reference, "salt") != token  # new links: the new key
    assert token_opens(token, reference=reference, salt="salt")  # old links: the fallback
    assert token_opens(access_token_for(reference, "salt"), reference=reference, salt="salt")

    settings.SECRET_KEY_FALLBACKS = []
    assert not token_opens(token, reference=reference, salt="salt")  # key A removed: revoked


PARALLEL = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_submissions_get_distinct_well_formed_references():
    # Each thread opens its own database connection, so the submissions really race. On
    # SQLite the test database is a shared in-memory one, visible to all threads.
    town = MunicipalityFactory(slug="lasttown", code="LST")
    service = ServiceDefinitionFactory(process_steps=[])
    ServiceOfferingFactory(municipality=town, service_key=service.key)
    start = threading.Barrier(PARALLEL)

    def submit(number: int) -> tuple[int, dict]:
        try:
            start.wait(timeout=30)
            response = APIClient().post(
                "/api/v1/municipalities/lasttown/cases/",
                {
                    "service": service.key,
                    "applicant": {"name": f"Person {number}", "email": f"p{number}@example.org"},
                    "data": {"anliegen": f"Antrag {number}", "anzahl": 1},
                },
                format="json",
            )
            return response.status_code, response.json()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        results = list(pool.map(submit, range(PARALLEL)))

    assert [status for status, _body in results] == [201] * PARALLEL, results
    references = [body["reference"] for _status, body in results]
    assert len(set(references)) == PARALLEL
    assert all(is_well_formed(r) and r.startswith("LST-") for r in references)
    tokens = {body["access_token"] for _status, body in results}
    assert len(tokens) == PARALLEL
    assert Case.objects.count() == PARALLEL
    # Not sequential: sorted by filing order, the random parts do not count up.
    in_order = list(Case.objects.order_by("id").values_list("reference", flat=True))
    assert in_order != sorted(in_order)
    assert connection.vendor in ("sqlite", "postgresql")
