"""Payment pages under /payments/ (portal/urls.py). A provider's callbacks are named after
its key: GiroCheckout notifies /payments/girocheckout/notify/ (docs/api.md)."""

from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("sandbox/girocheckout/api/v2/<path:endpoint>", views.sandbox_api, name="sandbox-api"),
    path("sandbox/girocheckout/<str:reference>/", views.sandbox_pay, name="sandbox-pay"),
    path("<uuid:payment_id>/qr.svg", views.qr_svg, name="qr"),
    path("statements/<slug:slug>/", views.treasury, name="treasury"),
    path("statements/<slug:slug>/refunds.xml", views.treasury_export, name="treasury-export"),
    path(
        "statements/<slug:slug>/exports/<int:export_id>.xml",
        views.treasury_export_again,
        name="treasury-export-again",
    ),
    path("<slug:provider_key>/notify/", views.provider_notify, name="provider-notify"),
    path(
        "<slug:provider_key>/return/<str:merchant_tx_id>/",
        views.provider_return,
        name="provider-return",
    ),
]
