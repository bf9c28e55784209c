"""A service's trust level (issue 15): part of the definition, in the catalog API for every
service, checked on import; form fields may take verified data of a signed-in citizen."""

import copy
import json

import pytest

from catalog.services import definition_errors, service_export
from catalog.vocabulary import VERIFIED_ATTRIBUTES, TrustLevel
from identity.citizen import Identity
from identity.levels import ORDER, Level

pytestmark = pytest.mark.django_db

with open("portal/demo_data/services.json", encoding="utf-8") as handle:
    DEMO = {spec["key"]: spec for spec in json.load(handle)}


def test_the_catalog_speaks_the_identity_apps_levels_and_attributes():
    assert TrustLevel.values == [level.value for level in ORDER] == Level.values
    assert TrustLevel.labels == Level.labels
    full = Identity(
        pseudonym="p",
        level=Level.HIGH,
        authenticated_at=None,
        given_name="Łukasz",
        family_name="Yılmaz–Şahin",
        birth_date=__import__("datetime").date(1987, 3, 14),
        street="Bahnhofstraße 12",
        postal_code="59199",
        locality="Bönen",
    )
    assert set(full.verified_values()) == set(VERIFIED_ATTRIBUTES)
    assert full.verified_values()["street_name"] == "Bahnhofstraße"
    assert full.verified_values()["house_number"] == "12"


def test_every_service_in_the_api_has_a_trust_level_and_the_demo_levels_are_realistic(api, demo):
    rows = api.get("/api/v1/municipalities/unna/services/").json()
    levels = {row["key"]: row["trust_level"] for row in rows}
    assert set(levels.values()) <= set(TrustLevel.values)
    assert len(levels) == len(rows) and all(levels.values())
    assert levels["fuehrungszeugnis"] == levels["melderegisterauskunft"] == "high"
    assert levels["sperrmuell"] == "none"
    district = api.get("/api/v1/municipalities/kreis-unna/services/").json()
    assert {row["key"]: row["trust_level"] for row in district}["schwerbehinderung"] == (
        "substantial"
    )


def test_an_unknown_level_or_a_wrong_verified_field_is_refused_on_import():
    spec = copy.deepcopy(DEMO["fuehrungszeugnis"])
    assert definition_errors(spec) == []
    assert any("trust_level" in p for p in definition_errors({**spec, "trust_level": "eID"}))
    fields = spec["form"]["steps"][0]["fields"]
    fields[0]["verified"] = "nickname"
    fields[2]["verified"] = "birth_date"  # geburtsname is a text field
    problems = " ".join(definition_errors(spec))
    assert "verified must be one of" in problems
    assert "verified birth_date needs a field of type date" in problems


def test_export_and_import_keep_the_level(demo):
    from catalog.selectors import published_service

    exported = service_export(published_service("fuehrungszeugnis"))
    assert exported["trust_level"] == "high"
    assert exported["form"]["steps"][0]["fields"][0]["verified"] == "family_name"
