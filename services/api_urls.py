from django.urls import path

from services import api

urlpatterns = [
    path("municipalities/<slug:slug>/services/", api.ServiceList.as_view(), name="api-services"),
    path("municipalities/<slug:slug>/cases/", api.CaseCreate.as_view(), name="api-case-create"),
    path("cases/<str:reference>/", api.CaseDetail.as_view(), name="api-case-detail"),
    path("cases/<str:reference>/actions/", api.CaseAction.as_view(), name="api-case-action"),
    path("queue/", api.Queue.as_view(), name="api-queue"),
]
