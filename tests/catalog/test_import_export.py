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
