from django.urls import path

from payments import api

urlpatterns = [
    path("cases/<str:reference>/payments/", api.CasePayments.as_view(), name="api-case-payments"),
    path(
        "cases/<str:reference>/payments/counter/",
        api.CasePaidAtCounter.as_view(),
        name="api-case-payment-counter",
    ),
    path(
        "cases/<str:reference>/payments/refund/",
        api.CaseRefund.as_view(),
        name="api-case-payment-refund",
    ),
    path("payments/<str:payment_id>/", api.PaymentDetail.as_view(), name="api-payment-detail"),
    path(
        "municipalities/<slug:slug>/statements/",
        api.StatementUpload.as_view(),
        name="api-statements",
    ),
]
