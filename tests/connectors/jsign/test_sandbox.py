"""The demo sandbox served by Django, synced by the real connector over real HTTP."""

from __future__ import annotations

import pytest
import requests

from signhub.connectors.jsign import sandbox
from signhub.core.accounts import AccountInput, create_account
from signhub.core.models import SignedDocument, SyncRun
from signhub.core.status import DocumentStatus
from signhub.core.sync import sync_account


@pytest.fixture
def demo(live_server):
    data = sandbox.demo_account()
    return create_account(
        AccountInput(
            provider="jsign",
            name="jsign-demo",
            base_url=f"{live_server.url}/sandbox/jsign",
            credentials=data["credentials"],
            options=data["options"],
        )
    )


@pytest.fixture
def sent(monkeypatch) -> list[str]:
    """Paths of every request the connector sends."""
    paths: list[str] = []
    original = requests.Session.request

    def counting(self, method, url, *args, **kwargs):
        paths.append(url.split("/api/v2.0/", 1)[-1].split("?")[0])
        return original(self, method, url, *args, **kwargs)

    monkeypatch.setattr(requests.Session, "request", counting)
    return paths


def test_a_demo_account_syncs_every_status_and_downloads(demo, sent):
    run = sync_account(demo, full=True)
    assert run.state == SyncRun.State.SUCCEEDED, run.error_message
    docs = SignedDocument.objects.filter(account=demo)
    assert docs.count() == sandbox.COUNT
    assert run.pages == 3  # 240 envelopes at 100 per page
    statuses = set(docs.values_list("status", flat=True))
    # Request count: one login, one call per page, one details call per new envelope.
    assert len(sent) == 1 + 3 + sandbox.COUNT
    assert sent[:2] == ["authorization/token", "envelopes/list"]
    assert statuses == {
        DocumentStatus.IN_PROGRESS,
        DocumentStatus.COMPLETED,
        DocumentStatus.DECLINED,
        DocumentStatus.CANCELLED,
        DocumentStatus.EXPIRED,
    }
    completed = docs.filter(status=DocumentStatus.COMPLETED).first()
    assert completed.signers and completed.sender_email.endswith("@demo.example")
    connector = demo.connector()
    stream = connector.open_file(completed, completed.files[0]["key"])
    assert b"".join(stream.chunks).startswith(b"%PDF-1.4")
    stream.close()

    demo.refresh_from_db()
    assert demo.credentials["access_token"].startswith("sbx-access-")
    sent.clear()
    second = sync_account(demo)
    assert second.state == SyncRun.State.SUCCEEDED
    assert sent == ["envelopes/list"] * 3  # nothing changed: no details calls
    assert second.created == second.updated == 0
