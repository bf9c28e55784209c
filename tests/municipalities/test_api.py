import pytest

pytestmark = pytest.mark.django_db


def test_municipality_list_returns_district_and_towns_with_ags(
    demo, api, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        response = api.get("/api/v1/municipalities/")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 11
    by_slug = {row["slug"]: row for row in rows}
    assert by_slug["kreis-unna"] == {
        "slug": "kreis-unna",
        "name": "Kreis Unna",
        "ags": "05978000",
        "kind": "district",
    }
    assert by_slug["boenen"]["ags"] == "05978008"
    assert {row["kind"] for row in rows} == {"town", "district"}


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/municipalities/atlantis/services/"),
        ("post", "/api/v1/municipalities/atlantis/cases/"),
        ("get", "/api/v1/cases/XXX-2026-AAAAAA/"),
        ("post", "/api/v1/cases/XXX-2026-AAAAAA/actions/"),
    ],
)
def test_unknown_slug_or_reference_answers_404_json(demo, api, method, url):
    response = getattr(api, method)(url, {}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()
