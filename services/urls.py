"""Citizen pages (API.md, Pages). Included last in portal/urls.py: `/<slug>/` would shadow
anything after it, and /track/ must come before the municipality patterns here."""

from django.urls import path

from services import views

urlpatterns = [
    path("track/<str:reference>/", views.track, name="track"),
    path(
        "track/<str:reference>/files/<int:attachment_id>/",
        views.track_download,
        name="track-download",
    ),
    path("<slug:slug>/", views.municipality, name="municipality"),
    path("<slug:slug>/<slug:service_key>/", views.service_form, name="service-form"),
    path("<slug:slug>/<slug:service_key>/<int:step>/", views.service_form, name="service-step"),
    path("<slug:slug>/<slug:service_key>/check/", views.service_check, name="service-check"),
    path(
        "<slug:slug>/<slug:service_key>/done/<str:reference>/",
        views.service_done,
        name="service-done",
    ),
]
