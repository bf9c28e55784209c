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
