"""factory-boy factories: towns and people, the catalog, cases and payments.

Two ways to a case: `CaseFactory` writes the row as it stands (exact dates and statuses, for
statistics and retention: like a bulk import, it bypasses the portal, so tallies need
`tally_rebuild()`); `submit_case` files one through `case_submit`, the way citizens do
(events, steps, tallies and all)."""

import datetime
import itertools
from typing import Any

import factory
from django.contrib.auth import get_user_model

from cases.models import Case
from cases.references import new_token_salt
from cases.services import case_submit
from catalog.models import ServiceDefinition, ServiceOffering
from municipalities.models import Delegation, Membership, Municipality
from payments.girocode import creditor_reference
from payments.models import Payment

SIMPLE_FORM = {
    "steps": [
        {
            "title": {"de": "Angaben", "en": "Details"},
            "fields": [
                {
                    "name": "anliegen",
                    "type": "text",
                    "label": {"de": "Anliegen", "en": "Matter"},
                    "required": True,
                    "max_length": 200,
                },
                {
                    "name": "anzahl",
                    "type": "integer",
                    "label": {"de": "Anzahl", "en": "Number"},
                    "required": True,
                    "min": 1,
                    "max": 10,
                },
            ],
        }
    ]
}


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"town-{n}")
    name = factory.Sequence(lambda n: f"Town {n}")
    ags = factory.Sequence(lambda n: f"{5978100 + n:08d}")
    kind = Municipality.Kind.TOWN
    code = factory.Sequence(
        lambda n: (
            "T" + "ABCDEFGHJKLMNPQRSTUVWXYZ"[n // 24 % 24] + "ABCDEFGHJKLMNPQRSTUVWXYZ"[n % 24]
        )
    )
    payee_name = factory.LazyAttribute(lambda o: f"Stadt {o.name}")
    iban = "DE81443500600000100404"
    bic = "WELADED1UNN"
    email = factory.LazyAttribute(lambda o: f"info@{o.slug}.example")
    payment_providers = ["girocode", "girocheckout", "counter"]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user-{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    role = Membership.Role.CLERK


class ServiceDefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceDefinition

    key = factory.Sequence(lambda n: f"service-{n}")
    version = 1
    status = ServiceDefinition.Status.PUBLISHED
    name = factory.LazyAttribute(lambda o: {"de": f"Dienst {o.key}", "en": f"Service {o.key}"})
    description = {"de": "Beschreibung", "en": "Description"}
    form = SIMPLE_FORM
    fee = {"kind": "fixed", "cents": 1500}
    fee_min_cents = 500
    fee_max_cents = 3000
    prepay = False
    sla_days = 5
    process_steps = ["send_receipt", "notify_authority"]


class ServiceOfferingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceOffering

    municipality = factory.SubFactory(MunicipalityFactory)
    service_key = factory.LazyFunction(lambda: ServiceDefinitionFactory().key)


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegation

    service_key = "service-x"
    from_municipality = factory.SubFactory(MunicipalityFactory)
    to_municipality = factory.SubFactory(MunicipalityFactory)
    valid_from = datetime.date(2024, 1, 1)


_references = itertools.count(1)
#: The applicant of factory cases: a name that turns into "?" wherever Unicode is mishandled.
APPLICANT_NAME = "Łukasz Yılmaz–Şahin"


class CaseFactory(factory.django.DjangoModelFactory):
    """A case row (see the module's docstring); its access token opens it
    (`case.access_token`)."""

    class Meta:
        model = Case

    municipality = factory.SubFactory(MunicipalityFactory)
    processing_authority = factory.LazyAttribute(lambda o: o.municipality)
    service = factory.SubFactory(ServiceDefinitionFactory)
    reference = factory.LazyAttribute(
        lambda o: f"{o.municipality.code}-2026-T{next(_references):05d}"
    )
    token_salt = factory.LazyFunction(new_token_salt)
    applicant_name = APPLICANT_NAME
    applicant_email = "lukasz@example.org"
    data = factory.LazyFunction(lambda: {"anliegen": "Sofa und Schrank", "anzahl": 2})
    status = Case.Status.IN_REVIEW
    fee_cents = 1500


class PaymentFactory(factory.django.DjangoModelFactory):
    """An attempt to pay a case's fee, written as it stands (status, paid_at)."""

    class Meta:
        model = Payment

    payable = factory.SubFactory(CaseFactory)
    attempt = factory.LazyAttribute(lambda o: o.payable.payments.count() + 1)
    provider = "girocode"
    status = Payment.Status.PENDING
    amount_cents = factory.LazyAttribute(lambda o: o.payable.fee_cents)
    creditor_reference = factory.Sequence(lambda n: creditor_reference(f"TEST{n:06d}"))
    merchant_tx_id = factory.Sequence(lambda n: f"tx-{n:06d}")
    payee_municipality = factory.LazyAttribute(lambda o: o.payable.municipality)
    payee_name = factory.LazyAttribute(lambda o: o.payee_municipality.payee_name)
    payee_iban = factory.LazyAttribute(lambda o: o.payee_municipality.iban)
    kassenzeichen = factory.LazyAttribute(lambda o: o.payable.reference)


def submit_case(
    *,
    municipality: Municipality,
    service_key: str,
    data: dict[str, Any],
    name: str = APPLICANT_NAME,
    email: str = "lukasz@example.org",
    files: dict | None = None,
    language: str = "de",
) -> Case:
    """A case filed through cases.services.case_submit, as a citizen files it."""
    return case_submit(
        municipality=municipality,
        service_key=service_key,
        applicant={"name": name, "email": email},
        data=data,
        files=files,
        language=language,
    ).case
