from django.urls import path

from services import workspace_views

urlpatterns = [
    path("workspace/", workspace_views.queue, name="workspace"),
    path(
        "workspace/cases/<str:reference>/",
        workspace_views.case_detail,
        name="workspace-case",
    ),
    path(
        "workspace/cases/<str:reference>/files/<int:attachment_id>/",
        workspace_views.case_file,
        name="workspace-case-file",
    ),
]
