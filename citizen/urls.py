"""Citizen pages (docs/api.md, Pages). Included last in portal/urls.py: `/<slug>/` would
shadow anything after it, and /track/ must come before the municipality patterns here."""

from django.urls import path

from citizen.views import catalog, my_cases, payments, preview, steps, tracking

urlpatterns = [
    # The designer's live preview of a draft (district admins; docs/designer.md).
    path("district/services/<slug:key>/preview/", preview.preview_step, name="designer-preview"),
    path(
        "district/services/<slug:key>/preview/<int:step>/",
        preview.preview_step,
        name="designer-preview-step",
    ),
    path(
        "district/services/<slug:key>/preview/check/",
        preview.preview_check,
        name="designer-preview-check",
    ),
    path("meine-antraege/", my_cases.my_cases, name="my-cases"),
    path("meine-antraege/<str:reference>/", my_cases.my_case, name="my-case"),
    path(
        "meine-antraege/<str:reference>/files/<int:attachment_id>/",
        my_cases.my_case_document,
        name="my-case-document",
    ),
    path("track/<str:reference>/", tracking.track, name="track"),
    path(
        "track/<str:reference>/files/<int:attachment_id>/",
        tracking.track_download,
        name="track-download",
    ),
    # Under /payments/ since the choice began there; the page is the citizen's.
    path("payments/cases/<str:reference>/pay/", payments.pay, name="citizen-pay"),
    path("<slug:slug>/", catalog.municipality, name="municipality"),
    path("<slug:slug>/<slug:service_key>/", steps.service_form, name="service-form"),
    path("<slug:slug>/<slug:service_key>/<int:step>/", steps.service_form, name="service-step"),
    path("<slug:slug>/<slug:service_key>/check/", steps.service_check, name="service-check"),
    path(
        "<slug:slug>/<slug:service_key>/done/<str:reference>/",
        steps.service_done,
        name="service-done",
    ),
]
