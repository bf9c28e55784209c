"""The legal pages. Included before the citizen pages (portal/urls.py): /<slug>/impressum/
would otherwise look like a service of that town."""

from django.urls import path

from legal import views

urlpatterns = [
    path("impressum/", views.imprint, name="legal-imprint"),
    path("datenschutz/", views.privacy, name="legal-privacy"),
    path("barrierefreiheit/", views.accessibility, name="legal-accessibility"),
    path("<slug:slug>/impressum/", views.imprint, name="legal-imprint-town"),
    path("<slug:slug>/datenschutz/", views.privacy, name="legal-privacy-town"),
    path("<slug:slug>/barrierefreiheit/", views.accessibility, name="legal-accessibility-town"),
]
