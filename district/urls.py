from django.urls import path

from district import privacy_views, views

urlpatterns = [
    path("district/", views.dashboard, name="district"),
    path("district/export/<slug:table>.csv", views.dashboard_csv, name="district-export"),
    path("district/privacy/", privacy_views.privacy_search_page, name="privacy"),
    path("district/privacy/export/", privacy_views.privacy_export_download, name="privacy-export"),
    path("district/privacy/erase/", privacy_views.privacy_erase_page, name="privacy-erase"),
]
