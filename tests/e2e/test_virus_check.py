"""The virus check in a real browser, against a real clamd (tests/clamd.py): a citizen's
upload carrying the EICAR test file is refused at its field (error summary, axe clean) and
a clean one passes; a file quarantined by a rescan shows the clerk a warning and the
applicant a withheld file, both pages free of WCAG 2.1 A/AA violations."""

import io
from collections.abc import Callable
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from playwright.sync_api import Page, expect

from cases.models import Attachment, Case
from cases.services import case_submit
from municipalities.models import Municipality
from tests.cases.test_upload_scanning import DATA
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.test_citizen_journey import (
    PDF,
    SERVICE_URL,
    WAIT,
    _fill_step_with_mouse,
    _progress,
    _submit,
    demo_data,  # noqa: F401  (fixture)
    translated,
)
from tests.e2e.test_clerk_flow import sign_in

FIELD = "wohnungsgeberbestaetigung"


def test_an_infected_upload_is_refused_at_its_field_and_a_clean_one_passes(
    make_page: Callable[..., Page],
    demo_data,  # noqa: F811
    upload_scanning,
    eicar: bytes,
    tmp_path: Path,
):
    document = PDF.read_bytes()
    infected = tmp_path / "Bestätigung Łukasz Yılmaz–Şahin.pdf"
    infected.write_bytes(document[: len(document) // 2] + eicar + document[len(document) // 2 :])
    page = make_page()
    page.goto(SERVICE_URL)
    for step in (1, 2, 3):
        _progress(page, step, "de")
        _fill_step_with_mouse(page, step)
        _submit(page)
    _progress(page, 4, "de")

    page.locator(f"#field-{FIELD}").set_input_files(infected)
    _submit(page)

    summary_link = page.locator(f"#error-summary a[href='#field-{FIELD}']")
    expect(summary_link).to_contain_text(
        translated("The file was refused by the virus check.", "de"), timeout=WAIT
    )
    assert_no_axe_violations(page, "form step, file refused by the virus check (de)")
    _fill_step_with_mouse(page, 4)  # the clean PDF
    _submit(page)
    _progress(page, 5, "de")


def test_a_quarantined_file_warns_the_clerk_and_is_withheld_from_the_applicant(
    make_page: Callable[..., Page],
    transactional_db,
    clamd_factory,
    settings,
):
    call_command("load_demo", password="demo", verbosity=0)
    daemon = clamd_factory()
    settings.UPLOAD_SCAN_URL = daemon.unix_url
    document = PDF.read_bytes()
    submitted = case_submit(
        municipality=Municipality.objects.get(slug="bergkamen"),
        service_key="wohnsitz-anmelden",
        applicant={"name": "Nguyễn Thị Minh Khai", "email": "khai@example.org"},
        data=dict(DATA),
        files={FIELD: [SimpleUploadedFile("Bestätigung.pdf", document)]},
    )
    case: Case = submitted.case
    daemon.add_signature("Kreisportal.Test.NewThreat", document)
    call_command("rescan_uploads", stdout=io.StringIO())
    assert Attachment.objects.get(case=case).quarantined_at is not None

    clerk = make_page()
    sign_in(clerk, "clerk-bergkamen")
    clerk.goto(f"/workspace/cases/{case.reference}/")
    expect(clerk.locator("#quarantine-warning")).to_contain_text(
        "Kreisportal.Test.NewThreat", timeout=WAIT
    )
    assert_no_axe_violations(clerk, "workspace case page with a quarantined file (de)")

    citizen = make_page()
    citizen.goto(f"/track/{case.reference}/?access_token={submitted.access_token}")
    expect(citizen.locator("#documents-heading")).to_be_visible(timeout=WAIT)
    expect(citizen.locator("main")).to_contain_text(
        translated("withheld: the virus check found malware in it", "de")
    )
    assert_no_axe_violations(citizen, "tracking page with a withheld file (de)")
