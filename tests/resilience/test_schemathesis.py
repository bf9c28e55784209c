"""API fuzzing (docs/api.md, Machine-readable): Schemathesis generates requests from
/api/schema/ and sends them to the app in process, as a clerk and as a citizen. No
request may answer 5xx, and every answer must match the schema (status code, content
type, body). Bounded and derandomized, so CI sees the same examples every run."""

import pytest
import schemathesis.specs.openapi.checks  # noqa: F401  (registers the OpenAPI checks)
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import CHECKS as ALL_CHECKS
from schemathesis.checks import not_a_server_error
from schemathesis.openapi import from_wsgi

from cases.models import Case

pytestmark = pytest.mark.django_db

# Every check Schemathesis has (the CLI's `--checks all`): no 5xx, answers as the schema
# says (status, content type, headers, body), invalid data refused, no use after delete, auth
# not ignored, … — but `positive_data_acceptance`: it expects every schema-valid body to be
# accepted, and the schema cannot say business rules (an action the case's status does not
# allow, a way to pay the town does not offer, wrong credentials, a key with a control
# character), which are rightly 400.
CHECKS = [c for c in ALL_CHECKS.get_all() if c.__name__ != "positive_data_acceptance"]
assert not_a_server_error in CHECKS and len(CHECKS) == len(ALL_CHECKS.get_all()) - 1
# Schemathesis sends requests' default `Accept-Encoding: gzip, deflate`, but its in-process
# (WSGI) transport does not decode what comes back, as an HTTP client would; the portal's
# compression is tested in tests/portal/test_compression.py.
PLAIN = {"Accept-Encoding": "identity"}
EXAMPLES = settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def in_process(citizen_case):
    """Requests share the test's connection: the handler must not close it between them.
    (After the fixtures that use Django's test client, which reconnects the handlers.)"""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def citizen_case(demo, api):
    """A real case of the demo data, filed through the API like a citizen would."""
    from catalog.selectors import offers_for
    from municipalities.selectors import municipality_by_slug

    offer = next(o for o in offers_for(municipality_by_slug("bergkamen")) if not _has_files(o))
    response = api.post(
        "/api/v1/municipalities/bergkamen/cases/",
        {
            "service": offer.service.key,
            "applicant": {"name": "Erika", "email": "e@example.org"},
            "data": _valid_data(offer.service.form),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def _has_files(offer) -> bool:
    from catalog.forms.fields import fields_of

    return any(f.type == "file" for f in fields_of(offer.service.form))


def _valid_data(form: dict) -> dict:
    """Values that pass the form engine for the common field types (first choice, minimum…)."""
    from catalog.forms.fields import fields_of

    values = {}
    for field in fields_of(form):
        spec = field.spec
        if field.type in ("text", "textarea"):
            values[field.name] = "x" * max(3, int(spec.get("min_length", 3)))
        elif field.type == "email":
            values[field.name] = "a@example.org"
        elif field.type == "phone":
            values[field.name] = "+49 2303 1234"
        elif field.type == "date":
            values[field.name] = "2030-05-04"
        elif field.type in ("integer", "decimal"):
            values[field.name] = spec.get("min", 1)
        elif field.type == "choice":
            values[field.name] = spec["choices"][0]["value"]
        elif field.type == "multichoice":
            values[field.name] = [spec["choices"][0]["value"]]
        elif field.type == "boolean":
            values[field.name] = True
        elif field.type == "iban":
            values[field.name] = "DE89370400440532013000"
    return values


def _fuzz(operation, *, headers: dict, reference: str) -> None:
    @given(case=operation.as_strategy())
    @EXAMPLES
    def run(case):
        # Aim at objects that exist, so the fuzzing reaches past the 404.
        if "reference" in (case.path_parameters or {}):
            case.path_parameters["reference"] = reference
        if "slug" in (case.path_parameters or {}):
            case.path_parameters["slug"] = "bergkamen"
        case.call_and_validate(headers={**PLAIN, **headers}, checks=CHECKS)

    run()


def _fuzz_all(*, headers: dict, reference: str) -> None:
    """Every operation of the schema the app serves; all failures reported together."""
    schema = from_wsgi("/api/schema/", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7
    failures = []
    for operation in operations:
        try:
            _fuzz(operation, headers=headers, reference=reference)
        except (
            Exception,
            BaseExceptionGroup,
        ) as exc:  # collect, then fail once with every operation named
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)


def test_api_as_a_clerk_answers_every_generated_request_within_the_schema(citizen_case, in_process):
    from django.contrib.auth import get_user_model

    clerk = get_user_model().objects.get(username="clerk-bergkamen")
    token = Token.objects.create(user=clerk)
    _fuzz_all(headers={"Authorization": f"Token {token.key}"}, reference=citizen_case["reference"])
    assert Case.objects.filter(reference=citizen_case["reference"]).exists()


def test_api_as_a_citizen_answers_every_generated_request_within_the_schema(
    citizen_case, in_process
):
    _fuzz_all(
        headers={"X-Access-Token": citizen_case["access_token"]},
        reference=citizen_case["reference"],
    )
