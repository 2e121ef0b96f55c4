"""Bitrix24 events: form-encoded, verified only by auth[application_token]."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest

from signhub.connectors.bitrix24 import sandbox
from signhub.core.models import SignedDocument, SyncRun
from signhub.webhooks.models import PendingRefresh

from .conftest import refusals

APP_TOKEN = "b24-app-token-0123456789abcdef"
MEMBER = "demo0000member0000id"


def event(name="ONSIGNB2EDOCUMENTSTATUSCHANGED", *, token=APP_TOKEN, ts=None, member=MEMBER):
    fields = {
        "event": name,
        "event_handler_id": "17",
        "data[documentUid]": "1c2f3e4d-5566-7788-99aa-bbccddeeff00",
        "data[statusCode]": "done",
        "data[statusName]": "Подписан",  # non-ASCII, percent-encoded as Bitrix24 sends it
        "ts": str(int(time.time()) if ts is None else ts),
        "auth[domain]": "portal.example.com",
        "auth[member_id]": member,
        "auth[application_token]": token,
    }
    return urlencode(fields).encode()


@pytest.fixture
def bitrix(make_account, live_server):
    demo = sandbox.demo_account()
    return make_account(
        "bitrix24",
        name="HR Bitrix",
        base_url=f"{live_server.url}/sandbox/bitrix24",
        credentials={**demo["credentials"], "application_token": APP_TOKEN, "member_id": MEMBER},
        options=demo["options"],
    )


def send(client, account, body: bytes):
    return client.post(f"/webhooks/{account.endpoint_key}/", data=body,
                       content_type="application/x-www-form-urlencoded")  # fmt: skip


def test_a_verified_event_syncs_the_account_incrementally(client, bitrix):
    assert send(client, bitrix, event()).status_code == 200
    (run,) = SyncRun.objects.filter(account=bitrix)
    assert (run.trigger, run.state) == ("webhook", SyncRun.State.SUCCEEDED)
    assert SignedDocument.objects.filter(account=bitrix).count() == sandbox.TOTAL


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (event(token="forged"), 401, "bad_signature"),
        (event(token=""), 401, "bad_signature"),
        (event(member="another-portal"), 401, "wrong_portal"),
        (event(ts=int(time.time()) - 3600), 401, "stale"),
        (
            b"event=ONSIGNB2EDOCUMENTSTATUSCHANGED&auth%5Bapplication_token%5D=\xff\xfe",
            400,
            "malformed",
        ),
    ],
)
def test_forged_stale_and_malformed_events_change_nothing(
    client, bitrix, deferred, body, status, reason
):
    response = send(client, bitrix, body)
    assert (response.status_code, response.json()["code"]) == (status, reason)
    assert not PendingRefresh.objects.exists() and not deferred.results
    assert not SyncRun.objects.exists()
    (audit,) = refusals(reason)
    assert audit.details == {"provider": "bitrix24", "account": "HR Bitrix", "reason": reason}


def test_a_replayed_event_is_refused_and_other_events_are_only_acknowledged(
    client, bitrix, deferred
):
    body = event()
    assert send(client, bitrix, body).status_code == 200
    assert send(client, bitrix, body).status_code == 409
    assert send(client, bitrix, event("ONAPPUPDATE")).status_code == 200
    assert len(deferred.results) == 1


def test_an_account_without_an_install_token_refuses_events(client, bitrix, deferred):
    bitrix.credentials = {k: v for k, v in bitrix.credentials.items() if k != "application_token"}
    bitrix.save()
    assert send(client, bitrix, event()).status_code == 403
    assert refusals("not_configured")
