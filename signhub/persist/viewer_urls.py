from django.urls import path

from . import views

app_name = "signatures"
urlpatterns = [
    path("", views.signature_list, name="list"),
    path("<int:pk>/", views.signature_detail, name="detail"),
    path("<int:pk>/check-content/", views.check_content, name="check_content"),
    path("<int:pk>/download/", views.download, name="download"),
    path("compare/", views.compare, name="compare"),
]
