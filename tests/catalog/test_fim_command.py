"""`manage.py fim_import` (issue 16, acceptance 3): a 2.0 and a 3.0.0 schema become drafts
whose fields match the fixtures, the report lists what was not imported, and input that
cannot be imported leaves nothing behind."""

import io

import pytest
from django.core.management import CommandError, call_command

from catalog.models import ServiceDefinition, ServiceOffering
from core.models import AuditEntry
from tests.catalog.test_fim_fixtures import FIXTURES, HUNDESTEUER_STEPS
from tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def towns():
    kreis = MunicipalityFactory(slug="kreis-unna", name="Kreis Unna", kind="district")
    return [
        MunicipalityFactory(slug=slug, name=name, parent=kreis)
        for slug, name in (("kamen", "Kamen"), ("unna", "Unna"), ("selm", "Selm"))
    ]


def fim_import(name: str, *args: str) -> str:
    out = io.StringIO()
    call_command("fim_import", str(FIXTURES / name), *args, stdout=out)
    return out.getvalue()


def test_a_2_0_schema_becomes_a_draft_with_the_fixtures_fields(towns):
    output = fim_import("hundesteuer-2.0.xml", "--key", "hundesteuer")
    draft = ServiceDefinition.objects.get(key="hundesteuer")
    assert (draft.status, draft.version) == ("draft", 1)
    assert draft.form["steps"] == HUNDESTEUER_STEPS
    assert draft.name == {"de": "Anmeldung eines Hundes zur Hundesteuer", "en": ""}
    assert not ServiceOffering.objects.exists()
    assert "hundesteuer: draft version 1" in output
    assert "XDatenfelder 2.0, schema S99010001" in output
    # The unknown code list (Hunderasse) and the rules it could not convert are reported.
    assert "not imported: code list" in output
    assert output.count("not imported: rule") == 2
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ADD)
    assert entry.changes["imported_from"].startswith("fim_import ")


def test_a_3_0_0_schema_is_published_and_offered_where_asked(towns):
    output = fim_import(
        "wohnung-3.0.0.xml", "--key", "wohnung-anmelden", "--publish", "--offer", "kamen,selm"
    )
    service = ServiceDefinition.objects.get(key="wohnung-anmelden")
    assert service.status == "published"
    steps = service.form["steps"]
    assert [s["title"]["de"] for s in steps] == [
        "Angaben zur Person",
        "Neue Wohnung",
        "Ihre Hauptwohnung",
    ]
    fields = {f["fim_id"]: f for s in steps for f in s["fields"]}
    assert "F99020215" not in fields  # the hidden field
    assert fields["F99020201"]["type"] == "text" and fields["F99020201"]["required"] is True
    assert fields["F99020201"]["max_length"] == 120
    assert steps[2]["visible_if"]  # a rule showing a whole step
    assert sorted(ServiceOffering.objects.values_list("municipality__slug", flat=True)) == [
        "kamen",
        "selm",
    ]
    assert "not imported: field F99020215" in output
    assert "Destatis" in output or "staatsangehoerigkeit" in output


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("malformed.xml", [], "malformed"),
        ("wrong-namespace.xml", [], "namespace"),
        ("unknown-version.xml", [], "version"),
        ("hundesteuer-2.0.xml", ["--offer", "kamen,nirgendwo"], "no town nirgendwo"),
        ("hundesteuer-2.0.xml", ["--offer", "all", "--key", "Hunde Steuer"], "service key"),
    ],
)
def test_input_that_cannot_be_imported_leaves_nothing_behind(towns, name, args, message):
    if "--key" not in args:
        args = [*args, "--key", "hundesteuer"]
    with pytest.raises(CommandError, match=message):
        fim_import(name, *args)
    assert not ServiceDefinition.objects.exists()
    assert not ServiceOffering.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_service_with_a_draft_is_not_given_a_second_one(towns):
    fim_import("hundesteuer-2.0.xml", "--key", "hundesteuer")
    with pytest.raises(CommandError, match="has a draft already"):
        fim_import("hundesteuer-2.0.xml", "--key", "hundesteuer", "--offer", "all")
    assert ServiceDefinition.objects.count() == 1
    assert not ServiceOffering.objects.exists()
