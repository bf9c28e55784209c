"""The small registries other apps plug into: purge hooks (what the retention purge erases)
and upload areas (where files live). Each refuses a second entry under a taken name."""

import pytest

from core import purge, uploads


def test_every_app_with_personal_data_registered_its_purge_hook():
    assert "cases" in purge.HOOKS


def test_a_purge_hook_name_is_taken_once():
    with pytest.raises(ValueError, match="cases"):
        purge.purge_hook("cases")(lambda case_ids, now: [])


def test_upload_areas_are_named_once_and_paths_stay_inside():
    assert {"cases", "drafts"} <= set(uploads.AREAS)
    assert all(area.personal for area in uploads.AREAS.values())
    with pytest.raises(ValueError):
        uploads.register_area("cases", "again")
    area = uploads.AREAS["drafts"]
    assert area.path("abc", "beleg-Łukasz.pdf") == "drafts/abc/beleg-Łukasz.pdf"
    with pytest.raises(ValueError):
        area.path("..", "cases", "x.pdf")
