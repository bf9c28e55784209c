"""The clerks' pages: /workspace/… and the fee desk actions of a case page."""

from django.urls import path

from cases.workspace import fees, views

urlpatterns = [
    path("workspace/", views.queue, name="workspace"),
    path("workspace/cases/<str:reference>/", views.case_detail, name="workspace-case"),
    path(
        "workspace/cases/<str:reference>/files/<int:attachment_id>/",
        views.case_file,
        name="workspace-case-file",
    ),
    # Under /payments/ since the fee desk began there; the pages are the case's.
    path("payments/cases/<str:reference>/counter/", fees.counter_paid, name="fee-counter"),
    path("payments/cases/<str:reference>/refund/", fees.refund, name="fee-refund"),
]
