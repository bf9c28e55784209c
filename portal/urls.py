from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.auth import ObtainToken
from core.throttling import throttle
from portal import views

api_v1 = [
    path("auth/token/", ObtainToken.as_view(), name="api-token"),
    path("", include("municipalities.api_urls")),
    path("", include("catalog.api_urls")),
    path("", include("cases.api_urls")),
    path("", include("payments.api_urls")),
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from the portal's own static files (drf-spectacular-sidecar), its start-up
    # script a file of its own: it renders offline and within the CSP (script-src 'self').
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin's sign-in counts against the same per-address budget as the login page.
    path("admin/login/", throttle("logins", methods=["POST"])(admin.site.login)),
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        throttle("logins", methods=["POST"])(auth_views.LoginView.as_view()),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("payments/", include("payments.urls")),
    path("saml2/", include("identity.urls")),  # citizen sign-in (docs/identity.md)
    path("", include("cases.workspace.urls")),
    path("", include("district.urls")),
    path("", include("catalog.designer.urls")),  # the service designer (docs/designer.md)
    path("", views.home, name="home"),
    path("", include("legal.urls")),  # before /<slug>/<service>/ (docs/legal.md)
    # Citizen pages last: /<slug>/… would shadow anything after it.
    path("", include("citizen.urls")),
]

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
