"""The German admin names every column and filter in German: "Nach Kommune", not "Nach
municipality"; "Angelegt am", not "Created at" — for every model of the portal's apps."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.test import RequestFactory
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import capfirst

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

with open(Path(settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES" / "django.po", "rb") as po:
    CATALOG = read_po(po)

APPS = {"cases", "catalog", "municipalities", "payments", "core", "district"}


def admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in APPS
    ]


def field_names(model, model_admin, user):
    request = RequestFactory().get("/admin/")
    request.user = user
    names = [n for n in model_admin.get_list_display(request) if isinstance(n, str)]
    names += [n for n in model_admin.get_list_filter(request) if isinstance(n, str)]
    for name in dict.fromkeys(names):
        try:
            yield model._meta.get_field(name)
        except FieldDoesNotExist:
            continue


@pytest.mark.parametrize(
    ("model", "model_admin"),
    admins(),
    ids=lambda v: getattr(getattr(v, "_meta", None), "label", ""),
)
def test_changelist_columns_and_filters_are_german(client, model, model_admin):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"

    response = client.get(url, HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 200, url
    html = response.content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    for field in field_names(model, model_admin, user):
        # The name comes from the German catalogue, not from the field's Python name.
        assert isinstance(field.verbose_name, Promise), (url, field.name)
        with translation.override(None):
            msgid = str(field.verbose_name)
        message = CATALOG.get(msgid)
        assert message is not None and message.string, (url, field.name, msgid)
        with translation.override("de"):
            german = capfirst(str(field.verbose_name))
        if msgid.lower() != german.lower():
            assert f" Nach {msgid} " not in text, (url, msgid)
