from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "signhub.webhooks"
    label = "webhooks"
    verbose_name = "Provider webhooks"
    default_auto_field = "django.db.models.BigAutoField"
