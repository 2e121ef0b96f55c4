from django.apps import AppConfig


class ConnectConfig(AppConfig):
    name = "signhub.connect"
    label = "connect"
    verbose_name = "Connecting accounts"
    default_auto_field = "django.db.models.BigAutoField"
