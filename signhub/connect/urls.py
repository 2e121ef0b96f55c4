from django.urls import path

from . import views

app_name = "connect"
urlpatterns = [
    path("<str:key>/", views.start, name="start"),
    path("<str:key>/callback/", views.callback, name="callback"),
    path("<str:key>/install/", views.install, name="install"),
]
