from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Production operations: schedules, health endpoints, request ids, pruning."""

    name = "signhub.ops"
    label = "ops"
    verbose_name = "Operations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .sessions import stamp_at_login

        user_logged_in.connect(stamp_at_login, dispatch_uid="signhub-session-stamp")
