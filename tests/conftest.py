"""Shared fixtures: fake connectors registered, no real waiting, account factories."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from django.db import connections

from signhub.core.http import clock
from signhub.core.models import ProviderAccount

from . import fakes  # noqa: F401  (registers the fake connectors)
from .browser_support import browser  # noqa: F401  (one Chromium for the whole run)


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch) -> list[float]:
    """Backoff and throttle waits are recorded instead of slept."""
    waits: list[float] = []
    monkeypatch.setattr(clock, "sleep", waits.append)
    return waits


@pytest.fixture(autouse=True)
def _no_http_inside_a_transaction(monkeypatch):
    """No provider call ever runs inside a database transaction (issue 15, finding 1): on
    SQLite it would hold the write lock for as long as the provider takes. Every HTTP
    request any test makes fails if the code under test has a transaction open (the test
    case's own wrapping transaction does not count)."""
    send = requests.Session.send

    def guarded(session, request, **kwargs):
        for connection in connections.all(initialized_only=True):
            if any(not getattr(a, "_from_testcase", False) for a in connection.atomic_blocks):
                host = urlsplit(request.url).hostname
                raise AssertionError(f"HTTP request to {host} inside a database transaction")
        return send(session, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", guarded)


@pytest.fixture(autouse=True)
def _local_throttles_only(settings):
    """Throttle waits are asserted per bucket; the cross-process window (on when CACHE_URL is
    Redis) has its own tests, so it is off elsewhere to keep results backend-independent."""
    settings.SIGNHUB_SHARED_THROTTLE = False


@pytest.fixture(autouse=True)
def _fresh_fake_data():
    fakes.FakeConnector.data = {}
    yield
    fakes.FakeConnector.data = {}


@pytest.fixture
def staff_client(client, django_user_model):
    """The test client signed in as a superuser (force_login: no password to hash)."""
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", None))
    return client


@pytest.fixture
def make_account(db):
    def make(provider: str = "fake", name: str | None = None, **kwargs) -> ProviderAccount:
        connector = __import__("signhub.core.registry", fromlist=["registry"]).registry.get(
            provider
        )
        kwargs.setdefault("base_url", connector.default_base_url)
        kwargs.setdefault("credentials", {"token": "t0k3n"} if provider.startswith("fake") else {})
        return ProviderAccount.objects.create(
            name=name or f"{provider}-{ProviderAccount.objects.count() + 1}",
            provider=provider,
            **kwargs,
        )

    return make
