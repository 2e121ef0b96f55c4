"""Every sensitive action writes an audit event: downloads, packs, exports, sync triggers."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from signhub.core import audit
from signhub.core.models import AuditEvent


def test_the_helper_records_who_what_when_where(rf, world):
    request = rf.get("/x", REMOTE_ADDR="192.0.2.7")
    request.user = world.alice
    event = audit.record(request, "export", "documents", result="ok", bytes=42, rows=3)
    assert (event.actor, event.actor_label, event.ip) == (world.alice, "alice", "192.0.2.7")
    assert (event.action, event.target, event.result, event.bytes) == (
        "export",
        "documents",
        "ok",
        42,
    )
    assert event.details == {"rows": 3}
    assert event.at is not None


def test_forwarded_for_is_ignored_unless_behind_a_proxy(rf, world, settings):
    request = rf.get("/x", REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR="203.0.113.9")
    request.user = world.alice
    assert audit.record(request, "x").ip == "192.0.2.7"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert audit.record(request, "x").ip == "203.0.113.9"


def test_a_user_without_a_request_is_recorded(world):
    event = audit.record(world.bob, "sync_trigger", "account:1")
    assert (event.actor, event.ip) == (world.bob, None)
    assert audit.record(None, "sync_trigger").actor_label == "system"


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        pytest.skip(f"{name} does not exist yet")


def test_the_csv_export_is_audited(client, world):
    client.force_login(world.alice)
    response = client.get(_url("dashboard:export"))
    b"".join(response.streaming_content)
    assert AuditEvent.objects.filter(action__icontains="export", actor=world.alice).exists()


def test_a_sync_trigger_from_the_dashboard_is_audited(client, world):
    client.force_login(world.admin)
    client.post(_url("dashboard:sync_now", world.account_a.pk))
    assert AuditEvent.objects.filter(action__icontains="sync", actor=world.admin).exists()
