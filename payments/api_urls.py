from django.urls import path

from payments import api

urlpatterns = [
    path("payments/<str:payment_id>/", api.PaymentDetail.as_view(), name="api-payment-detail"),
    path(
        "municipalities/<slug:slug>/statements/",
        api.StatementUpload.as_view(),
        name="api-statements",
    ),
]
