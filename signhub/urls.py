from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="dashboard:documents", permanent=False)),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("signhub.ops.urls")),  # /healthz and /readyz
    path("", include("signhub.dashboard.urls")),
    path("", include("signhub.downloads.urls")),
    path("", include("signhub.verify.urls")),
    path("connect/", include("signhub.connect.urls")),
    path("webhooks/", include("signhub.webhooks.urls")),
    path("persist/", include("signhub.persist.urls")),
    path("signatures/", include("signhub.persist.viewer_urls")),
]

if settings.SIGNHUB_SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/", include("signhub.sandbox.urls")))
