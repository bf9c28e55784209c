from django.urls import path

from cases.api import cases, payments, queue

urlpatterns = [
    path("municipalities/<slug:slug>/cases/", cases.CaseCreate.as_view(), name="api-case-create"),
    path("cases/<str:reference>/", cases.CaseDetail.as_view(), name="api-case-detail"),
    path("cases/<str:reference>/actions/", cases.CaseAction.as_view(), name="api-case-action"),
    path(
        "cases/<str:reference>/payments/",
        payments.CasePayments.as_view(),
        name="api-case-payments",
    ),
    path(
        "cases/<str:reference>/payments/counter/",
        payments.CasePaidAtCounter.as_view(),
        name="api-case-payment-counter",
    ),
    path(
        "cases/<str:reference>/payments/refund/",
        payments.CaseRefund.as_view(),
        name="api-case-payment-refund",
    ),
    path("queue/", queue.Queue.as_view(), name="api-queue"),
]
