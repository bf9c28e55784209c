"""Payment pages under /payments/ (portal/urls.py)."""

from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("girocheckout/notify/", views.girocheckout_notify, name="girocheckout-notify"),
    path(
        "girocheckout/return/<str:merchant_tx_id>/",
        views.girocheckout_return,
        name="girocheckout-return",
    ),
    path("sandbox/girocheckout/<str:reference>/", views.sandbox_pay, name="sandbox-pay"),
    path("<uuid:payment_id>/qr.svg", views.qr_svg, name="qr"),
    path("cases/<str:reference>/pay/", views.citizen_pay, name="pay"),
    path("cases/<str:reference>/counter/", views.counter_paid, name="counter"),
    path("cases/<str:reference>/refund/", views.refund, name="refund"),
    path("statements/<slug:slug>/", views.treasury, name="treasury"),
    path("statements/<slug:slug>/refunds.xml", views.treasury_export, name="treasury-export"),
]
