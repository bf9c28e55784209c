import datetime
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from citizen.drafts import drafts_purge_abandoned

pytestmark = pytest.mark.django_db


def _draft_file(folder: str, age: datetime.timedelta) -> str:
    path = default_storage.save(f"drafts/{folder}/upload.pdf", ContentFile(b"%PDF-1.4 x"))
    moment = (timezone.now() - age).timestamp()
    os.utime(default_storage.path(path), (moment, moment))
    return path


def test_abandoned_draft_uploads_are_deleted_after_a_session_lifetime(settings):
    settings.SESSION_COOKIE_AGE = 3600
    old = _draft_file("abandoned", datetime.timedelta(hours=2))
    fresh = _draft_file("in-progress", datetime.timedelta(minutes=5))

    assert drafts_purge_abandoned() == 1

    assert not default_storage.exists(old)
    assert default_storage.exists(fresh)


def test_draft_purge_without_any_drafts_does_nothing():
    assert drafts_purge_abandoned() == 0
