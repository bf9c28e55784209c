from django.urls import path

from catalog import api

urlpatterns = [
    path("municipalities/<slug:slug>/services/", api.ServiceList.as_view(), name="api-services"),
]
