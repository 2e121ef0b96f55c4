from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Production operations: schedules, health endpoints, request ids, pruning."""

    name = "signhub.ops"
    label = "ops"
    verbose_name = "Operations"
    default_auto_field = "django.db.models.BigAutoField"
