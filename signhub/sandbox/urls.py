from django.urls import include, path

from .registry import sandbox_modules

app_name = "sandbox"
urlpatterns = [
    path(f"{provider}/", include((module.urlpatterns, provider), namespace=provider))
    for provider, module in sandbox_modules().items()
]
