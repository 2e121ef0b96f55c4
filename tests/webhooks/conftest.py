"""Webhook tests: deliveries signed in the test from each provider's documented algorithm."""

from __future__ import annotations

import pytest
import requests
from django.core.cache import cache
from django.test import override_settings

from signhub.connectors.box import sandbox as box_sandbox
from signhub.core.http import throttle
from signhub.core.models import AuditEvent

PRIMARY, SECONDARY = "primary-key-0123456789", "secondary-key-9876543210"
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def _fresh_throttles_and_sandboxes():
    """Throttles start full; what a test changed at a sandbox "provider" is forgotten."""
    throttle.reset()
    yield
    throttle.reset()
    cache.clear()


@pytest.fixture
def deferred():
    """Tasks are recorded, not run (the dummy backend): what a worker would pick up."""
    from django_tasks import default_task_backend

    with override_settings(TASKS=DUMMY_TASKS):
        default_task_backend.clear()
        yield default_task_backend
        default_task_backend.clear()


@pytest.fixture
def provider_calls(monkeypatch) -> list[str]:
    """Every HTTP request signhub makes to a provider, as "METHOD path"."""
    calls: list[str] = []
    send = requests.Session.send

    def counted(session, request, **kwargs):
        from urllib.parse import urlsplit

        calls.append(f"{request.method} {urlsplit(request.url).path}")
        return send(session, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", counted)
    return calls


def refusals(reason: str | None = None) -> list[AuditEvent]:
    events = AuditEvent.objects.filter(action="webhook_refused")
    return [e for e in events if reason is None or e.details.get("reason") == reason]


def post(client, account, body: bytes, headers: dict[str, str], content_type=None):
    extra = {
        f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"
    }
    return client.post(
        f"/webhooks/{account.endpoint_key}/",
        data=body,
        content_type=content_type or headers.get("Content-Type", "application/json"),
        **extra,
    )


@pytest.fixture
def box(make_account, live_server):
    demo = box_sandbox.demo_account()
    return make_account(
        "box",
        name="HR Box",
        base_url=f"{live_server.url}/sandbox/box",
        credentials={**demo["credentials"], "webhook_primary_key": PRIMARY,
                     "webhook_secondary_key": SECONDARY},
        options=demo["options"],
    )  # fmt: skip
