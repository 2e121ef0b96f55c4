from django.urls import path

from . import health

# Mounted at the site root: probes use /healthz and /readyz.
urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
