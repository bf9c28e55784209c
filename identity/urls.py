from django.urls import path

from identity import views

app_name = "identity"

urlpatterns = [
    path("metadata/", views.metadata, name="metadata"),
    path("login/", views.login, name="login"),
    path("acs/", views.acs, name="acs"),
    path("logout/", views.logout, name="logout"),
    path("ls/", views.single_logout, name="ls"),
    path("ls/post/", views.single_logout, name="ls-post"),
    path("whoami/", views.whoami, name="whoami"),
]
