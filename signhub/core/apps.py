from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "signhub.core"
    label = "core"
    verbose_name = "signhub"
