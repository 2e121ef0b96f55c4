"""The provider registry: the one place that knows which connectors exist."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from .connector import Connector


class Registry:
    def __init__(self) -> None:
        self._connectors: dict[str, type[Connector]] = {}

    def register(self, cls: type[Connector]) -> type[Connector]:
        """Class decorator: make a connector known under its `provider` key."""
        self._connectors[cls.provider] = cls
        return cls

    def get(self, provider: str) -> type[Connector]:
        try:
            return self._connectors[provider]
        except KeyError:
            raise KeyError(
                f"Unknown provider {provider!r} (known: {', '.join(self.keys()) or 'none'})"
            ) from None

    def keys(self) -> list[str]:
        return sorted(self._connectors)

    def all(self) -> list[type[Connector]]:
        return [self._connectors[k] for k in self.keys()]

    def choices(self) -> list[tuple[str, str]]:
        return [(c.provider, c.label) for c in self.all()]

    def __contains__(self, provider: str) -> bool:
        return provider in self._connectors


registry = Registry()


class ConnectorAppConfig(AppConfig):
    """Base AppConfig for provider apps: importing `<app>.connector` registers the connector."""

    default_auto_field = "django.db.models.BigAutoField"
    # Imported into every provider's apps.py: without this Django would see two AppConfig
    # classes there and pick neither. Subclasses set `default = True`.
    default = False

    def ready(self) -> None:
        import_module(f"{self.name}.connector")
