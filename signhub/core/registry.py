"""The provider registry: the one place that knows which connectors exist.

It sits below the models (their provider choices come from here) and therefore knows a
connector class only by the few attributes it reads, not by importing `Connector`.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, Protocol, TypeVar

from django.apps import AppConfig


class ConnectorClass(Protocol):
    provider: str
    label: str
    default_base_url: str
    credential_form: Any

    def __call__(self, account: Any, **kwargs: Any) -> Any: ...


C = TypeVar("C", bound=ConnectorClass)


class Registry:
    def __init__(self) -> None:
        self._connectors: dict[str, Any] = {}

    def register(self, cls: C) -> C:
        """Class decorator: make a connector known under its `provider` key."""
        self._connectors[cls.provider] = cls
        return cls

    def get(self, provider: str) -> Any:
        try:
            return self._connectors[provider]
        except KeyError:
            raise KeyError(
                f"Unknown provider {provider!r} (known: {', '.join(self.keys()) or 'none'})"
            ) from None

    def keys(self) -> list[str]:
        return sorted(self._connectors)

    def all(self) -> list[Any]:
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
