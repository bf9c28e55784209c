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


def test_every_model_marked_personal_is_erased_by_a_hook(db):
    from django.core.management import call_command

    assert purge.unpurged_personal_data() == {}
    assert {"cases.Case", "payments.StatementLine", "payments.Refund"} <= set(purge.PERSONAL)
    call_command("check")  # core.E020 and core.E021 pass on the portal as it is


def test_a_personal_field_no_hook_erases_fails_the_system_check(monkeypatch):
    monkeypatch.setitem(purge.PERSONAL, "payments.SandboxTransaction", ("purpose",))
    monkeypatch.setitem(purge.PERSONAL, "cases.Case", ("applicant_name", "applicant_phone"))

    errors = purge.check_personal_data_has_hook()

    assert [(e.id, e.obj) for e in errors] == [
        ("core.E020", "payments.SandboxTransaction"),
        ("core.E021", "cases.Case"),
    ]
    assert "purpose" in errors[0].msg and "applicant_phone" in errors[1].msg
