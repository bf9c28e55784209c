from django.urls import path

from district import views

urlpatterns = [
    path("district/", views.dashboard, name="district"),
    path("district/export/<slug:table>.csv", views.dashboard_csv, name="district-export"),
]
