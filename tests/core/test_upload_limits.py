"""Uploads are refused before the body is read in full: a file that passes UPLOAD_MAX_BYTES
stops the stream at once (413), however large the request says it is."""

import json

import pytest
from django.test.client import FakePayload

from cases.models import Attachment, Case
from tests.factories import MunicipalityFactory, ServiceDefinitionFactory, ServiceOfferingFactory
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db

FORM = {
    "steps": [
        {
            "title": {"de": "Nachweis", "en": "Evidence"},
            "fields": [
                {
                    "name": "beleg",
                    "type": "file",
                    "label": {"de": "Beleg", "en": "Proof"},
                    "required": True,
                    "accept": ["application/pdf"],
                },
            ],
        }
    ]
}


@pytest.fixture
def bytes_read(monkeypatch):
    """How many bytes of request bodies the portal read."""
    counter = {"read": 0}
    original = FakePayload.read

    def counting(self, *args, **kwargs):
        data = original(self, *args, **kwargs)
        counter["read"] += len(data)
        return data

    monkeypatch.setattr(FakePayload, "read", counting)
    return counter


def _post(client, town, service, content: bytes):
    payload = {
        "service": service.key,
        "applicant": {"name": "Erika Muster", "email": "erika@example.org"},
        "data": {},
    }
    return client.post(
        f"/api/v1/municipalities/{town.slug}/cases/",
        {"payload": json.dumps(payload), "beleg": upload("beleg.pdf", content, "application/pdf")},
    )


def test_a_file_over_the_limit_is_cut_off_with_413_before_the_rest_is_read(
    client, settings, bytes_read
):
    settings.UPLOAD_MAX_BYTES = 200 * 1024
    town = MunicipalityFactory(slug="uploadtown")
    service = ServiceDefinitionFactory(key="beleg-test", form=FORM)
    ServiceOfferingFactory(municipality=town, service_key=service.key)
    huge = pdf_bytes() + b"\0" * (4 * 1024 * 1024)

    response = _post(client, town, service, huge)

    assert response.status_code == 413
    assert "beleg" in response.json()["detail"]
    assert bytes_read["read"] < 1024 * 1024  # of a body over 4 MB
    assert not Case.objects.exists()
    assert not Attachment.objects.exists()


def test_a_file_under_the_limit_still_goes_through(client, settings):
    settings.UPLOAD_MAX_BYTES = 200 * 1024
    town = MunicipalityFactory(slug="uploadtown")
    service = ServiceDefinitionFactory(key="beleg-test", form=FORM)
    ServiceOfferingFactory(municipality=town, service_key=service.key)

    response = _post(client, town, service, pdf_bytes())

    assert response.status_code == 201, response.content
    assert Attachment.objects.filter(field_name="beleg").count() == 1
