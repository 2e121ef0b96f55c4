from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "signhub.sandbox"
    label = "sandbox"
    verbose_name = "Demo sandbox"
