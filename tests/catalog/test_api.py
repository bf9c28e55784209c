"""The public catalog API (docs/api.md, Public catalog) on the demo data of Kreis Unna."""

import json

import pytest

from catalog.models import ServiceDefinition, ServiceOffering
from municipalities.models import Municipality

pytestmark = pytest.mark.django_db

SERVICES_JSON = "portal/demo_data/services.json"


def _demo_services() -> list[dict]:
    with open(SERVICES_JSON, encoding="utf-8") as handle:
        return json.load(handle)


def test_load_demo_loads_at_least_eighteen_published_services(demo):
    published = ServiceDefinition.objects.filter(status=ServiceDefinition.Status.PUBLISHED)
    assert published.values("key").distinct().count() >= 18
    assert set(published.values_list("key", flat=True)) == {s["key"] for s in _demo_services()}


def test_every_town_offers_every_towns_service_and_the_district_its_own(demo):
    specs = _demo_services()
    towns_keys = {s["key"] for s in specs if s["offered_by"] == "towns"}
    district_keys = {s["key"] for s in specs if s["offered_by"] == "district"}
    assert towns_keys and district_keys
    towns = Municipality.objects.filter(kind=Municipality.Kind.TOWN)
    assert towns.count() == 10
    for town in towns:
        offered = set(
            ServiceOffering.objects.filter(municipality=town, active=True).values_list(
                "service_key", flat=True
            )
        )
        assert offered == towns_keys, town.slug
    district = Municipality.objects.get(kind=Municipality.Kind.DISTRICT)
    assert (
        set(
            ServiceOffering.objects.filter(municipality=district).values_list(
                "service_key", flat=True
            )
        )
        == district_keys
    )


def test_load_demo_twice_changes_nothing(demo):
    from django.core.management import call_command

    before = (ServiceDefinition.objects.count(), ServiceOffering.objects.count())
    call_command("load_demo", password="demo", stdout=open("/dev/null", "w"))
    assert (ServiceDefinition.objects.count(), ServiceOffering.objects.count()) == before


def test_boenen_lists_gewerbe_anmelden_processed_by_kamen(demo, api, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = api.get("/api/v1/municipalities/boenen/services/")
    assert response.status_code == 200
    by_key = {row["key"]: row for row in response.json()}
    gewerbe = by_key["gewerbe-anmelden"]
    assert gewerbe["processing_authority"] == "kamen"
    assert gewerbe["fee_cents"] == 2600
    assert gewerbe["currency"] == "EUR"
    assert gewerbe["prepay"] is False
    assert {"key", "leika", "name", "description", "form"} <= set(gewerbe)
    field = gewerbe["form"]["steps"][0]["fields"][0]
    assert {"name", "label", "type", "required"} <= set(field)
    # Services Bönen does not delegate stay with Bönen.
    assert by_key["sperrmuell"]["processing_authority"] == "boenen"


def test_a_town_without_the_delegation_processes_gewerbe_anmelden_itself(demo, api):
    rows = api.get("/api/v1/municipalities/bergkamen/services/").json()
    assert {r["key"]: r["processing_authority"] for r in rows}["gewerbe-anmelden"] == "bergkamen"


def test_per_unit_service_lists_its_unit_price(demo, api):
    rows = api.get("/api/v1/municipalities/unna/services/").json()
    hund = {r["key"]: r for r in rows}["hundesteuer-anmeldung"]
    assert hund["fee_cents"] == 9600


def test_the_district_lists_only_district_services(demo, api):
    rows = api.get("/api/v1/municipalities/kreis-unna/services/").json()
    keys = {r["key"] for r in rows}
    assert keys == {s["key"] for s in _demo_services() if s["offered_by"] == "district"}
    assert {r["processing_authority"] for r in rows} == {"kreis-unna"}


def test_unknown_municipality_answers_404_json(demo, api):
    response = api.get("/api/v1/municipalities/atlantis/services/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_an_inactive_offering_disappears_from_the_catalog(demo, api):
    ServiceOffering.objects.filter(municipality__slug="selm", service_key="sperrmuell").update(
        active=False
    )
    keys = {r["key"] for r in api.get("/api/v1/municipalities/selm/services/").json()}
    assert "sperrmuell" not in keys
    assert "fundsache" in keys


def test_municipality_list_names_towns_and_district(demo, api, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = api.get("/api/v1/municipalities/")
    assert response.status_code == 200
    rows = response.json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    kinds = {r["slug"]: r["kind"] for r in rows}
    assert kinds["kreis-unna"] == "district"
    assert kinds["boenen"] == "town"
    assert len(kinds) == 11
    assert {"slug", "name", "ags", "kind"} <= set(rows[0])
