"""The admin pages people tripped over (issue 18): every inline input of the offerings list
has an accessible name, and the import page's help text has the id its field points at."""

import re

import pytest

from tests.factories import (
    MunicipalityFactory,
    ServiceDefinitionFactory,
    ServiceOfferingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_offering_list_inputs_say_which_town_and_service_they_belong_to(client):
    service = ServiceDefinitionFactory(key="sperrmuell")
    for name in ("Bergkamen", "Bönen"):
        ServiceOfferingFactory(
            municipality=MunicipalityFactory(name=name, slug=name.lower()), service_key=service.key
        )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    html = client.get("/admin/catalog/serviceoffering/", HTTP_ACCEPT_LANGUAGE="de").content.decode()

    inputs = re.findall(r'<input[^>]*name="form-\d+-(?:active|fee_override)"[^>]*>', html)
    assert len(inputs) == 2  # one on/off switch per row (fees are set on the form)
    labels = [re.search(r'aria-label="([^"]+)"', i).group(1) for i in inputs]
    assert "Bönen, sperrmuell: Angeboten" in labels
    assert len(set(labels)) == 2


def test_import_page_describes_its_field_with_an_existing_id(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    html = client.get("/admin/catalog/servicedefinition/import/").content.decode()

    described = re.findall(r'aria-describedby="([^"]+)"', html)
    assert described
    for ids in described:
        for one in ids.split():
            assert f'id="{one}"' in html, one
