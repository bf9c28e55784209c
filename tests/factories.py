"""factory-boy factories for the core models."""

import datetime

import factory
from django.contrib.auth import get_user_model

from catalog.models import ServiceDefinition, ServiceOffering
from municipalities.models import Delegation, Membership, Municipality

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
