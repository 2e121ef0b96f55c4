from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "signhub.core"
    label = "core"
    verbose_name = "signhub"

    def ready(self) -> None:
        post_migrate.connect(_text_index, sender=self)


def _text_index(sender, using, **kwargs) -> None:
    """SQLite's free-text index lives outside the models (FTS5): kept after every migrate."""
    from django.db import connections

    from .dialects import ensure_text_index

    ensure_text_index(connections[using])
