from django.urls import path

from services import district_views

urlpatterns = [
    path("district/", district_views.dashboard, name="district"),
    path(
        "district/export/<slug:table>.csv",
        district_views.dashboard_csv,
        name="district-export",
    ),
]
