from django.urls import path

from . import api, openapi

app_name = "persist"
urlpatterns = [
    path("signature", api.signature, name="signature"),
    path("signatures", api.signatures, name="signatures"),
    path("openapi.json", openapi.openapi_view, name="openapi"),
]
