from django.urls import path

from . import views

app_name = "downloads"
urlpatterns = [
    path("documents/<int:pk>/download/<str:file_key>", views.download, name="file"),
    path("documents/<int:pk>/preview/<str:file_key>", views.preview, name="preview"),
    path("documents/evidence-pack/", views.evidence_pack, name="evidence_pack"),
]
