"""The OpenAPI document (docs/api.md, Machine-readable) describes what the endpoints really
answer: real answers with null values validate against it, and the endpoints outside DRF
— the health check and GiroCheckout's notification — are in it."""

from contextlib import contextmanager

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from rest_framework.authtoken.models import Token
from schemathesis.openapi import from_wsgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cases.models import Case
from catalog.models import ServiceOffering
from tests.factories import MembershipFactory, MunicipalityFactory, ServiceDefinitionFactory

pytestmark = pytest.mark.django_db
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


@contextmanager
def in_process():
    """Requests through the WSGI app share the test's connection: the handler must not
    close it (Django's test client does the same for its own requests)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def schema(db):
    with in_process():
        return from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture
def document(api, db):
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_fields_that_may_be_null_are_declared_nullable(document):
    components = document["components"]["schemas"]
    for name in ("CaseDetail", "QueueRow"):
        assert components[name]["properties"]["due_date"].get("nullable") is True, name
        assert components[name]["properties"]["assigned_to"].get("nullable") is True, name
    assert components["CaseDetail"]["properties"]["payment_status"].get("nullable") is True
    payment = components["Payment"]["properties"]
    assert payment["paid_at"].get("nullable") is True
    assert payment["redirect_url"].get("nullable") is True
    assert "redirect_url" not in components["Payment"]["required"]  # only for redirects
    assert "next_step" in components["Payment"]["required"]
    conflict = document["paths"]["/api/v1/cases/{reference}/actions/"]["post"]["responses"]["409"]
    name = conflict["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"detail", "errors", "status"} <= set(components[name]["required"])


def test_health_check_and_provider_notification_are_listed(document):
    health = document["paths"]["/healthz"]["get"]
    assert set(health["responses"]) == {"200", "503"}
    notify = document["paths"]["/payments/girocheckout/notify/"]
    assert set(notify) == {"get", "post"}
    names = {parameter["name"] for parameter in notify["get"]["parameters"]}
    assert {"gcReference", "gcMerchantTxId", "gcResultPayment", "gcHash"} <= names
    assert set(notify["get"]["responses"]) == {"200", "400"}


def _validate(schema, path, method, *, headers=None, **kwargs):
    """Call the app in process and check the answer against the document (uncompressed:
    the in-process transport does not decode gzip, see tests/resilience/test_schemathesis)."""
    headers = {"Accept-Encoding": "identity", **(headers or {})}
    case = schema[path][method].Case(headers=headers, **kwargs)
    with in_process():
        response = case.call()
    case.validate_response(response, checks=CHECKS)
    return response


def test_a_case_without_due_date_answers_within_the_schema(schema, api):
    """A prepaid case waits for its fee: no due date yet (null), nobody assigned."""
    town = MunicipalityFactory(slug="selm-test", code="SLM")
    service = ServiceDefinitionFactory(key="hundesteuer", prepay=True)
    ServiceOffering.objects.create(municipality=town, service_key=service.key)
    filed = api.post(
        f"/api/v1/municipalities/{town.slug}/cases/",
        {
            "service": service.key,
            "applicant": {"name": "Łukasz Yılmaz–Şahin", "email": "lukasz@example.org"},
            "data": {"anliegen": "Anmeldung „Bello“", "anzahl": 1},
        },
        format="json",
    )
    assert filed.status_code == 201, filed.content
    case = Case.objects.get(reference=filed.json()["reference"])
    assert case.due_date is None and case.status == Case.Status.AWAITING_PAYMENT

    detail = _validate(
        schema,
        "/api/v1/cases/{reference}/",
        "GET",
        path_parameters={"reference": case.reference},
        headers={"X-Access-Token": filed.json()["access_token"]},
    )
    assert detail.json()["due_date"] is None

    clerk = MembershipFactory(municipality=case.processing_authority, role="clerk").user
    token = Token.objects.create(user=clerk)
    queue = _validate(
        schema,
        "/api/v1/queue/",
        "GET",
        query={"status": "awaiting_payment"},
        headers={"Authorization": f"Token {token.key}"},
    )
    rows = queue.json()["results"]
    assert any(row["reference"] == case.reference and row["due_date"] is None for row in rows)


def test_health_check_answers_within_the_schema(schema):
    assert _validate(schema, "/healthz", "GET").json()["status"] == "ok"


def test_notification_answers_within_the_schema(schema):
    response = _validate(
        schema,
        "/payments/girocheckout/notify/",
        "GET",
        query={"gcMerchantTxId": "unknown\x00attempt", "gcHash": "0" * 32},
    )
    assert response.status_code == 400
