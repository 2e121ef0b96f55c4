from django.apps import AppConfig


class VerifyConfig(AppConfig):
    name = "signhub.verify"
    label = "verify"
    verbose_name = "Signature verification"
