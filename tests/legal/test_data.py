"""The legal information's data: demo profiles for all eleven municipalities that a second
load_demo leaves as admins changed them, and the catalog's privacy and remedy texts checked
on import."""

import pytest
from django.core.management import call_command

from catalog.models import ServiceDefinition
from catalog.services import service_export, service_import
from core.errors import Invalid
from legal.models import LegalProfile
from municipalities.models import Municipality


def test_load_demo_gives_all_eleven_a_profile_and_keeps_what_admins_changed(demo):
    assert LegalProfile.objects.count() == Municipality.objects.count() == 11
    assert all(
        p.address and p.imprint.get("de") and p.imprint.get("en") and p.privacy.get("de")
        for p in LegalProfile.objects.all()
    )
    LegalProfile.objects.filter(municipality__slug="boenen").update(imprint={"de": "Eigener Text"})
    call_command("load_demo", password="demo", verbosity=0)
    assert LegalProfile.objects.get(municipality__slug="boenen").imprint == {"de": "Eigener Text"}


def test_every_demo_service_states_purpose_and_legal_basis(demo):
    for service in ServiceDefinition.objects.all():
        assert service.privacy["purpose"]["de"] and service.privacy["purpose"]["en"], service.key
        assert service.privacy["legal_basis"]["de"], service.key


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"privacy": {"zweck": {"de": "x"}}}, "privacy holds only"),
        ({"privacy": {"purpose": "nur ein Text"}}, "privacy texts"),
        ({"legal_remedy": "Klage beim VG"}, "legal_remedy"),
    ],
)
def test_a_definition_with_malformed_legal_texts_is_refused(demo, change, named):
    spec = service_export(ServiceDefinition.objects.filter(key="sperrmuell").latest("version"))
    versions = ServiceDefinition.objects.filter(key="sperrmuell").count()
    with pytest.raises(Invalid, match=named):
        service_import(spec={**spec, **change})
    assert ServiceDefinition.objects.filter(key="sperrmuell").count() == versions


def test_privacy_and_remedy_survive_export_and_import(demo):
    service = ServiceDefinition.objects.filter(key="hundesteuer-anmeldung").latest("version")
    spec = service_export(service)
    assert spec["legal_remedy"] == service.legal_remedy and spec["privacy"] == service.privacy
    again, created = service_import(spec=spec)
    assert not created and again.pk == service.pk
