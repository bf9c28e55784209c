"""Service definitions from the outside: JSON in the format of services.json, through the
management commands and the admin."""

import copy
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from catalog.models import ServiceDefinition
from catalog.services import service_export
from core.models import AuditEntry
from municipalities.models import Membership
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    ServiceDefinitionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/catalog/servicedefinition/"


@pytest.fixture
def district_admin(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    district = MunicipalityFactory(slug="kreis-i", name="Kreis I", kind="district")
    admin = UserFactory(username="kreis-i-admin", is_staff=True)
    MembershipFactory(user=admin, municipality=district, role=Membership.Role.DISTRICT_ADMIN)
    return admin


def export(*args: str) -> dict:
    out = io.StringIO()
    call_command("service_export", *args, stdout=out)
    return json.loads(out.getvalue())


def test_export_then_import_elsewhere_gives_the_same_definition(tmp_path):
    original = ServiceDefinitionFactory(key="bulky-test", sla_days=7, retention_days=120)
    spec = export("bulky-test")
    ServiceDefinition.objects.filter(key="bulky-test").delete()
    path = tmp_path / "bulky-test.json"
    path.write_text(json.dumps(spec), encoding="utf-8")

    out = io.StringIO()
    call_command("service_import", str(path), stdout=out)

    imported = ServiceDefinition.objects.get(key="bulky-test")
    assert "bulky-test: imported as version 1" in out.getvalue()
    assert imported.status == "published"
    for field in (
        "name",
        "form",
        "fee",
        "sla_days",
        "retention_days",
        "process_steps",
        "fee_min_cents",
        "fee_max_cents",
    ):
        assert getattr(imported, field) == getattr(original, field), field


def test_export_picks_a_version(tmp_path):
    ServiceDefinitionFactory(key="dogs-x", sla_days=5)
    ServiceDefinitionFactory(key="dogs-x", version=2, sla_days=9)

    assert export("dogs-x")["sla_days"] == 9
    assert export("dogs-x", "--version", "1")["sla_days"] == 5
    with pytest.raises(CommandError, match="no service 'dogs-x' version 7"):
        export("dogs-x", "--version", "7")


def test_import_of_a_list_makes_new_versions_only_where_something_changed(tmp_path):
    ServiceDefinitionFactory(key="a-test-service")
    ServiceDefinitionFactory(key="b-test-service")
    specs = [service_export(d) for d in ServiceDefinition.objects.order_by("key")]
    specs[1]["sla_days"] = 30
    path = tmp_path / "list.json"
    path.write_text(json.dumps(specs), encoding="utf-8")

    out = io.StringIO()
    call_command("service_import", str(path), stdout=out)

    assert "a-test-service: unchanged: version 1" in out.getvalue()
    assert "b-test-service: imported as version 2" in out.getvalue()
    assert ServiceDefinition.objects.get(key="b-test-service", version=1).sla_days == 5


def test_import_refuses_an_invalid_definition_with_the_reason(tmp_path):
    spec = copy.deepcopy(service_export(ServiceDefinitionFactory(key="broken")))
    spec["form"]["steps"][0]["fields"][0]["type"] = "colour"
    spec["key"] = "broken-2"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(spec), encoding="utf-8")

    with pytest.raises(CommandError, match="unknown type 'colour'"):
        call_command("service_import", str(path))
    assert not ServiceDefinition.objects.filter(key="broken-2").exists()


def test_admin_action_downloads_the_definition_as_json(client, district_admin):
    definition = ServiceDefinitionFactory(key="bulky-test")
    client.force_login(district_admin)

    response = client.post(
        CHANGELIST, {"action": "export_json", "_selected_action": [definition.pk]}
    )

    assert response.status_code == 200
    assert 'filename="bulky-test-v1.json"' in response["Content-Disposition"]
    assert json.loads(response.content) == service_export(definition)
    assert AuditEntry.objects.filter(action="export", actor=district_admin).exists()


def test_admin_import_makes_a_draft_to_check_and_publish(client, district_admin):
    ServiceDefinitionFactory(key="bulky-test")
    spec = service_export(ServiceDefinition.objects.get(key="bulky-test"))
    spec["sla_days"] = 12
    client.force_login(district_admin)

    response = client.post(
        f"{CHANGELIST}import/",
        {"file": SimpleUploadedFile("s.json", json.dumps(spec).encode(), "application/json")},
    )
    bad = client.post(
        f"{CHANGELIST}import/",
        {"file": SimpleUploadedFile("s.json", b"{not json", "application/json")},
    )

    assert response.status_code == 302
    draft = ServiceDefinition.objects.get(key="bulky-test", version=2)
    assert (draft.status, draft.sla_days) == ("draft", 12)
    assert bad.status_code == 200 and "not valid JSON" in bad.content.decode()


def _spec_file(tmp_path, key: str, **changes) -> str:
    spec = service_export(ServiceDefinitionFactory.build(key=key))
    spec.update(changes)
    path = tmp_path / f"{key}.json"
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_command_import_writes_the_audit_trail_like_the_admin(tmp_path, district_admin):
    name = {"de": "Hundesteuer – „Bello“ anmelden", "en": "Register a dog"}
    path = _spec_file(tmp_path, "hundesteuer-test", name=name)

    call_command("service_import", path, "--user", "kreis-i-admin", stdout=io.StringIO())

    definition = ServiceDefinition.objects.get(key="hundesteuer-test")
    entries = AuditEntry.objects.filter(object_id=str(definition.pk)).order_by("id")
    assert [(e.action, e.actor) for e in entries] == [
        ("add", district_admin),
        ("publish", district_admin),
    ]
    assert entries[0].changes == {"imported_from": "service_import hundesteuer-test.json"}
    assert entries[1].changes == {"version": 1}
    assert entries[0].object_repr == str(definition)


def test_command_import_without_a_user_is_the_systems_and_a_draft_is_only_added(tmp_path):
    call_command("service_import", _spec_file(tmp_path, "sperrmuell-test"), stdout=io.StringIO())
    call_command(
        "service_import",
        _spec_file(tmp_path, "sperrmuell-test", sla_days=21),
        "--draft",
        stdout=io.StringIO(),
    )

    published, draft = ServiceDefinition.objects.filter(key="sperrmuell-test").order_by("version")
    trail = AuditEntry.objects.order_by("id")
    assert list(trail.filter(object_id=str(published.pk)).values_list("action", "actor_label")) == [
        ("add", "system"),
        ("publish", "system"),
    ]
    assert list(
        AuditEntry.objects.filter(object_id=str(draft.pk)).values_list("action", flat=True)
    ) == ["add"]
    # Unchanged content imports nothing, and writes nothing into the trail.
    before = AuditEntry.objects.count()
    call_command(
        "service_import",
        _spec_file(tmp_path, "sperrmuell-test", sla_days=21),
        "--draft",
        stdout=io.StringIO(),
    )
    assert AuditEntry.objects.count() == before


def test_command_import_is_all_or_nothing_and_names_an_unknown_user(tmp_path):
    good = service_export(ServiceDefinitionFactory.build(key="good-test"))
    bad = copy.deepcopy(good) | {"key": "bad-test", "fee": {"kind": "gratis"}}
    path = tmp_path / "list.json"
    path.write_text(json.dumps([good, bad]), encoding="utf-8")

    with pytest.raises(CommandError, match="bad-test"):
        call_command("service_import", str(path))
    with pytest.raises(CommandError, match="no user 'nobody'"):
        call_command("service_import", _spec_file(tmp_path, "other-test"), "--user", "nobody")

    assert not ServiceDefinition.objects.filter(key__in=["good-test", "other-test"]).exists()
    assert not AuditEntry.objects.exists()
