import json
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from municipalities.models import Municipality

DATA = Path(__file__).resolve().parents[2] / "portal" / "demo_data" / "kreis-unna.json"


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in ("auth", "municipalities", "services", "payments", "authtoken")
    }


@pytest.mark.django_db
def test_load_demo_twice_leaves_the_same_row_counts():
    call_command("load_demo", stdout=open("/dev/null", "w"))
    first = _row_counts()
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert _row_counts() == first
    assert first["municipalities.Municipality"] == 11


def test_demo_data_has_the_district_and_ten_towns_with_their_ags(demo):
    domain = json.loads(DATA.read_text(encoding="utf-8"))
    expected = {domain["district"]["slug"]: domain["district"]["ags"]}
    expected |= {t["slug"]: t["ags"] for t in domain["towns"]}
    assert dict(Municipality.objects.values_list("slug", "ags")) == expected
    district = Municipality.objects.get(kind="district")
    assert set(district.towns.values_list("slug", flat=True)) == set(expected) - {district.slug}


def test_demo_users_exist_for_every_municipality(demo, django_user_model):
    for slug in Municipality.objects.values_list("slug", flat=True):
        clerk = django_user_model.objects.get(username=f"clerk-{slug}")
        assert clerk.memberships.get().role == "clerk"
        admin = django_user_model.objects.get(username=f"admin-{slug}")
        assert admin.memberships.get().role == "municipal_admin"
    district_admin = django_user_model.objects.get(username="district-admin")
    assert district_admin.memberships.get().municipality.kind == "district"


@pytest.mark.django_db
def test_load_demo_takes_a_password(django_user_model):
    call_command("load_demo", password="another-secret", stdout=open("/dev/null", "w"))
    assert django_user_model.objects.get(username="clerk-unna").check_password("another-secret")


def _admin_form(client, url: str) -> dict:
    """The fields of an admin change form as the browser would send them."""
    import lxml.html

    page = client.get(url)
    assert page.status_code == 200, url
    document = lxml.html.fromstring(page.content)
    form = next(f for f in document.forms if f.get("id", "").endswith("_form"))
    return dict(form.form_values())


@pytest.mark.django_db
def test_load_demo_again_keeps_what_admins_changed(client, demo, django_user_model):
    """`make run` loads the demo every time: an edited service with its new version, a
    town's account and a demo user's password must survive the next start."""
    from catalog.models import ServiceDefinition

    district_admin = django_user_model.objects.get(username="district-admin")
    client.force_login(district_admin)
    changelist = "/admin/catalog/servicedefinition/"
    v1 = ServiceDefinition.objects.get(key="wohnsitz-anmelden", version=1)
    client.post(changelist, {"action": "create_next_draft", "_selected_action": [v1.pk]})
    draft = ServiceDefinition.objects.get(key="wohnsitz-anmelden", status="draft")
    fields = _admin_form(client, f"{changelist}{draft.pk}/change/")
    name = {"de": "Wohnsitz anmelden – „neu“ für Łukasz Yılmaz–Şahin", "en": "Register (new)"}
    fields.update(name=json.dumps(name, ensure_ascii=False), sla_days="7", _publish="1")
    published = client.post(f"{changelist}{draft.pk}/change/", fields)
    assert published.status_code == 302
    edited = ServiceDefinition.objects.get(key="wohnsitz-anmelden", version=2)
    assert edited.status == "published" and edited.name == name

    town = Municipality.objects.get(slug="unna")
    fields = _admin_form(client, f"/admin/municipalities/municipality/{town.pk}/change/")
    fields.update(payee_name="Kreisstadt Unna – Stadtkasse", iban="DE02120300000000202051")
    assert (
        client.post(f"/admin/municipalities/municipality/{town.pk}/change/", fields).status_code
        == 302
    )
    clerk = django_user_model.objects.get(username="clerk-unna")
    clerk.set_password("von-der-Admin-geändert")
    clerk.save()
    versions_before = ServiceDefinition.objects.count()

    call_command("load_demo", stdout=open("/dev/null", "w"))

    newest = ServiceDefinition.objects.filter(key="wohnsitz-anmelden").order_by("-version")[0]
    assert (newest.pk, newest.version, newest.name, newest.sla_days) == (edited.pk, 2, name, 7)
    assert ServiceDefinition.objects.count() == versions_before  # nothing published over it
    town.refresh_from_db()
    assert (town.payee_name, town.iban) == (
        "Kreisstadt Unna – Stadtkasse",
        "DE02120300000000202051",
    )
    clerk.refresh_from_db()
    assert clerk.check_password("von-der-Admin-geändert")


@pytest.mark.django_db
def test_load_demo_creates_what_is_missing(django_user_model):
    from catalog.models import ServiceDefinition, ServiceOffering

    call_command("load_demo", stdout=open("/dev/null", "w"))
    ServiceOffering.objects.filter(municipality__slug="selm").delete()
    django_user_model.objects.filter(username="clerk-selm").delete()
    ServiceDefinition.objects.filter(key="wohnsitz-anmelden").delete()

    call_command("load_demo", password="neu", stdout=open("/dev/null", "w"))

    assert ServiceOffering.objects.filter(municipality__slug="selm").exists()
    assert django_user_model.objects.get(username="clerk-selm").check_password("neu")
    assert ServiceDefinition.objects.filter(key="wohnsitz-anmelden", version=1).exists()
    assert django_user_model.objects.get(username="clerk-unna").check_password("demo")
