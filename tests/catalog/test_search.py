"""Service search on a town's page (catalog/search.py): umlauts typed any way, synonyms,
best match first. The same tests run on SQLite (pytest) and PostgreSQL (CI, DATABASE_URL):
PostgreSQL ranks with German full-text search, SQLite with the simpler fallback."""

import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from catalog.models import ServiceDefinition
from catalog.search import fold, query_words
from catalog.services import service_export
from tests.conftest import require_service
from tests.factories import ServiceDefinitionFactory

pytestmark = pytest.mark.django_db

SERVICE_LINK = re.compile(r'<h3 class="kern-title"><a [^>]*href="/bergkamen/([a-z0-9-]+)/"')


def found(client: Client, query: str, language: str = "de") -> list[str]:
    """The service keys the page lists for `query`, in the page's order."""
    response = client.get("/bergkamen/", {"q": query}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    # The services listed on the page, not the footer's legal pages of the town.
    return SERVICE_LINK.findall(response.content.decode().split('<footer class="portal-footer"')[0])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("fuehrungszeugnis", "fuehrungszeugnis"),
        ("Führungszeugnis", "fuehrungszeugnis"),
        ("fuhrungszeugnis", "fuehrungszeugnis"),
        ("FÜHRUNGSZEUGNIS", "fuehrungszeugnis"),
        ("Ummeldung", "wohnsitz-anmelden"),
        ("ummeldung", "wohnsitz-anmelden"),
        ("Hundesteuer", "hundesteuer-anmeldung"),
        ("Sperrmüll", "sperrmuell"),
        ("sperrmuell", "sperrmuell"),
        ("Sperrmull", "sperrmuell"),
        ("Strassenlaterne", "maengelmelder"),  # ss for ß, a synonym's compound
        ("Mängel", "maengelmelder"),
        ("Hochzeit", "eheschliessung-anmelden"),
        ("dog tax", "hundesteuer-anmeldung"),  # English synonyms too
        ("  führungs-zeugnis ", "fuehrungszeugnis"),  # punctuation separates words
    ],
)
def test_the_expected_service_comes_first(client, demo, query, expected):
    keys = found(client, query)
    assert keys, f"nothing found for {query!r}"
    assert keys[0] == expected, keys


def test_the_start_of_a_word_finds_the_services_named_with_it_first(client, demo):
    keys = found(client, "hund")
    assert set(keys[:2]) == {"hundesteuer-anmeldung", "hundesteuer-abmeldung"}


def test_every_word_must_match(client, demo):
    assert found(client, "Hund abmelden")[0] == "hundesteuer-abmeldung"
    assert found(client, "Führungszeugnis Hundesteuer") == []


def test_nothing_found_says_so_and_an_empty_query_lists_everything(client, demo):
    page = client.get("/bergkamen/", {"q": "Łukasz Yılmaz–Şahin"}).content.decode()
    assert "Keine Leistung passt zu Ihrer Suche" in page
    assert len(found(client, "")) == len(found(client, "   ")) > 15


def test_quotes_and_operators_are_words_not_syntax(client, demo):
    for query in ["„Hund“ & | ! :* ()", "'; DROP TABLE x; --", "\\", "a" * 100]:
        assert client.get("/bergkamen/", {"q": query}).status_code == 200


def test_german_stemming_on_postgresql(client, demo):
    require_service(
        "PostgreSQL", connection.vendor == "postgresql", "full-text search is PostgreSQL's"
    )
    # Plurals are no substrings of the singular ("eine Genehmigung", "Wohnsitz anmelden"):
    # the German stemmer finds them.
    assert found(client, "Genehmigungen")[0] == "baumfaellgenehmigung"
    assert found(client, "Anmeldungen Wohnsitz")[0] == "wohnsitz-anmelden"


RESIDENTS = [
    "Łukasz Yılmaz–Şahin",
    "Nguyễn Thị Minh Khai",
    "Straße, Mängel, Öffnung, Übergröße",
    "Ærø Œuvre Ðorđe",
    "„Bello“ – 26,00 €",
]


def test_the_database_folds_like_python(db):
    require_service("PostgreSQL", connection.vendor == "postgresql", "kp_fold is PostgreSQL's")
    with connection.cursor() as cursor:
        for text in RESIDENTS:
            cursor.execute("SELECT kp_fold(%s)", [text])
            assert query_words(cursor.fetchone()[0]) == query_words(text), text


def test_fold_treats_umlauts_and_their_transliterations_alike():
    assert fold("Führungszeugnis") == fold("fuehrungszeugnis") == fold("FUHRUNGSZEUGNIS")
    assert fold("Straße") == fold("strasse")
    assert query_words("Nguyễn Thị Minh Khai") == ["nguyen", "thi", "minh", "khai"]


def test_synonyms_travel_with_export_and_import(tmp_path):
    original = ServiceDefinitionFactory(key="umzug-test", synonyms=["Ummeldung", "Umzug"])
    spec = service_export(original)
    assert spec["synonyms"] == ["Ummeldung", "Umzug"]
    ServiceDefinition.objects.filter(key="umzug-test").delete()
    path = tmp_path / "umzug.json"
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    call_command("service_import", str(path), stdout=None)
    assert ServiceDefinition.objects.get(key="umzug-test").synonyms == ["Ummeldung", "Umzug"]


@pytest.mark.parametrize("synonyms", ["Ummeldung", [""], [42], ["x" * 101]])
def test_bad_synonyms_are_refused_naming_the_field(tmp_path, synonyms):
    spec = service_export(ServiceDefinitionFactory.build(key="bad-synonyms"))
    spec["synonyms"] = synonyms
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(CommandError, match="synonyms"):
        call_command("service_import", str(path))
    assert not ServiceDefinition.objects.filter(key="bad-synonyms").exists()
