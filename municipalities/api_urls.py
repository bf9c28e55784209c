from django.urls import path

from municipalities import api

urlpatterns = [
    path("municipalities/", api.MunicipalityList.as_view(), name="api-municipalities"),
]
