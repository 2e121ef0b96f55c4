"""BoldSign deliveries signed as BoldSign signs them (hex HMAC-SHA256 of "{t}.{body}")."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest

from signhub.connectors.boldsign import sandbox
from signhub.core.models import SignedDocument
from signhub.webhooks.models import PendingRefresh

from .conftest import post, refusals

SECRET = "whsec-boldsign-0123456789"
DOCUMENT = sandbox._documents()["list"][1]  # in progress in the sandbox


def boldsign_sign(secret: str, stamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()


def delivery(event="Completed", *, secrets=(SECRET,), age=0, body=None, event_id="ev-1"):
    stamp = int(time.time()) - age
    if body is None:
        body = json.dumps(
            {
                "event": {
                    "id": event_id,
                    "created": stamp,
                    "eventType": event,
                    "environment": "Live",
                },
                "data": {
                    "object": "document",
                    "documentId": DOCUMENT["documentId"],
                    "messageTitle": "Vertrag für Zoë ✍️",
                    "status": event,
                },
            },
            ensure_ascii=False,
        ).encode()
    header = ", ".join(
        [f"t={stamp}"] + [f"s{i}={boldsign_sign(s, stamp, body)}" for i, s in enumerate(secrets)]
    )
    return body, {"X-BoldSign-Event": event, "X-BoldSign-Signature": header}  # fmt: skip


@pytest.fixture
def boldsign(make_account, live_server):
    return make_account(
        "boldsign",
        name="HR BoldSign",
        base_url=f"{live_server.url}/sandbox/boldsign",
        credentials={"api_key": sandbox.DEMO_API_KEY, "webhook_secret": SECRET},
        options={"lists": "list"},
    )


def test_a_signed_event_refreshes_the_document_from_its_properties(
    client, boldsign, provider_calls
):
    sandbox.change(DOCUMENT["documentId"], status="Completed")
    body, headers = delivery()
    assert "ë".encode() in body

    assert post(client, boldsign, body, headers).status_code == 200

    document = SignedDocument.objects.get(account=boldsign, external_id=DOCUMENT["documentId"])
    assert document.status == "completed"
    assert provider_calls == ["GET /sandbox/boldsign/v1/document/properties"]


def test_a_rolled_secret_verifies_with_either_signature(client, boldsign, deferred):
    body, headers = delivery(secrets=("old-secret", SECRET))
    assert post(client, boldsign, body, headers).status_code == 200
    body, headers = delivery(secrets=("old-secret",), event_id="ev-2")
    assert post(client, boldsign, body, headers).status_code == 401


@pytest.mark.parametrize(
    ("change", "status", "reason"),
    [
        ({"age": 301}, 401, "stale"),
        ({"age": -301}, 401, "stale"),
        ({"secrets": ("forged",)}, 401, "bad_signature"),
        ({"body": b'{"event": {"eventType": "Completed"'}, 400, "malformed"),
    ],
)
def test_stale_forged_and_malformed_events_change_nothing(
    client, boldsign, deferred, change, status, reason
):
    body, headers = delivery(**change)
    response = post(client, boldsign, body, headers)
    assert (response.status_code, response.json()["code"]) == (status, reason)
    assert not PendingRefresh.objects.exists() and not deferred.results
    (event,) = refusals(reason)
    assert event.details == {"provider": "boldsign", "account": "HR BoldSign", "reason": reason}


def test_a_replayed_event_is_refused(client, boldsign, deferred):
    body, headers = delivery()
    assert post(client, boldsign, body, headers).status_code == 200
    assert post(client, boldsign, body, headers).status_code == 409
    assert len(deferred.results) == 1


def test_the_verification_ping_is_answered_at_once_even_before_a_secret_is_stored(
    client, boldsign, deferred, provider_calls
):
    ping = json.dumps({"event": {"id": "v1", "eventType": "Verification"}}).encode()
    boldsign.credentials = {"api_key": sandbox.DEMO_API_KEY}
    boldsign.save()
    started = time.monotonic()
    response = client.post(f"/webhooks/{boldsign.endpoint_key}/", data=ping,
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 200 and time.monotonic() - started < 1
    # Without a secret nothing else is accepted.
    body, headers = delivery()
    assert post(client, boldsign, body, headers).status_code == 403
    assert not deferred.results and not provider_calls


def test_an_oversized_body_is_refused_before_it_is_read(client, boldsign, settings):
    settings.SIGNHUB_WEBHOOK_MAX_BODY = 512
    body, headers = delivery(body=json.dumps({"pad": "é" * 600}).encode())
    assert post(client, boldsign, body, headers).status_code == 413
    assert refusals("too_large")
