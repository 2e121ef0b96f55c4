from django.urls import path

from . import views

app_name = "verify"
urlpatterns = [
    path("documents/<int:pk>/verify/<str:file_key>", views.start, name="start"),
    path("verify/jobs/<int:pk>/", views.job_status, name="job"),
]
