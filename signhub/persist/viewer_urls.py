from django.urls import path

from . import viewer

app_name = "signatures"
urlpatterns = [
    path("", viewer.signature_list, name="list"),
    path("<int:pk>/", viewer.signature_detail, name="detail"),
    path("<int:pk>/download/", viewer.download, name="download"),
    path("compare/", viewer.compare, name="compare"),
]
