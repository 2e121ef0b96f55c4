from django.urls import path

from . import accounts, views

app_name = "dashboard"
urlpatterns = [
    path("documents/", views.documents, name="documents"),
    path("documents/export.csv", views.export_csv, name="export"),
    path("documents/<int:pk>/", views.document_detail, name="detail"),
    path("accounts/", accounts.accounts, name="accounts"),
    path("accounts/<int:pk>/status/", accounts.account_status, name="account_status"),
    path("accounts/<int:pk>/sync/", accounts.sync_now, name="sync_now"),
]
