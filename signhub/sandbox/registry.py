"""Finds each connector's fake provider API (`<connector app>/sandbox.py`).

A connector's sandbox module defines `urlpatterns` (served under /sandbox/<provider>/) and
`demo_account() -> {"credentials": {...}, "options": {...}}` used by the demo setup. The
fakes serve deterministic data so `make demo` runs the real connector code over real HTTP.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from signhub.core.registry import registry


def sandbox_modules() -> dict[str, ModuleType]:
    modules = {}
    for connector in registry.all():
        package = connector.__module__.rsplit(".", 1)[0]
        try:
            module = import_module(f"{package}.sandbox")
        except ModuleNotFoundError as exc:
            if exc.name != f"{package}.sandbox":
                raise
            continue
        modules[connector.provider] = module
    return modules
