from django.urls import path

from catalog.designer import offerings, views

urlpatterns = [
    path("district/services/", views.service_list, name="designer"),
    path("district/services/new/", views.service_new, name="designer-new"),
    path("district/services/fim/", offerings.fim_import_page, name="designer-fim"),
    path("district/offerings/", offerings.offering_list, name="designer-offerings"),
    path("district/services/<slug:key>/", views.service_page, name="designer-service"),
    path("district/services/<slug:key>/draft/", views.draft_make, name="designer-draft"),
    path("district/services/<slug:key>/details/", views.details, name="designer-details"),
    path("district/services/<slug:key>/steps/new/", views.step_edit, name="designer-step-new"),
    path("district/services/<slug:key>/steps/<int:number>/", views.step_edit, name="designer-step"),
    path(
        "district/services/<slug:key>/steps/<int:number>/action/",
        views.step_action,
        name="designer-step-action",
    ),
    path(
        "district/services/<slug:key>/steps/<int:number>/fields/new/",
        views.field_edit,
        name="designer-field-new",
    ),
    path(
        "district/services/<slug:key>/steps/<int:number>/fields/<slug:name>/",
        views.field_edit,
        name="designer-field",
    ),
    path(
        "district/services/<slug:key>/steps/<int:number>/fields/<slug:name>/action/",
        views.field_action,
        name="designer-field-action",
    ),
    path("district/services/<slug:key>/changes/", views.changes_page, name="designer-changes"),
]
