"""Box deliveries signed as Box signs them (base64 HMAC-SHA256 over body + timestamp)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from signhub.connectors.box import sandbox
from signhub.core.models import SignedDocument
from signhub.webhooks.models import PendingRefresh, ReplayGuard, WebhookState

from .conftest import PRIMARY, SECONDARY, post, refusals

REQUEST_ID = sandbox._requests()[1]["id"]  # "converting" (in progress) in the sandbox


def box_sign(key: str, body: bytes, stamp: str) -> str:
    """Box's documented algorithm, written out here rather than imported."""
    return base64.b64encode(
        hmac.new(key.encode(), body + stamp.encode(), hashlib.sha256).digest()
    ).decode()


def delivery(
    trigger="SIGN_REQUEST.COMPLETED",
    *,
    key=PRIMARY,
    header="PRIMARY",
    age=timedelta(0),
    body=None,
    event_id="evt-1",
    delivery_id="dlv-1",
    request_id=REQUEST_ID,
):
    if body is None:
        body = json.dumps(
            {
                "type": "webhook_event",
                "id": event_id,
                "trigger": trigger,
                "created_at": "2026-12-01T10:00:00-08:00",
                "source": {"type": "file", "id": "1000001", "name": "Arbeitsvertrag Müller.pdf"},
                "additional_info": {"sign_request_id": request_id, "signer": "jürgen@example.com"},
            },
            ensure_ascii=False,
        ).encode()
    stamp = (datetime.now(UTC) - age).astimezone().isoformat(timespec="seconds")
    headers = {
        "BOX-DELIVERY-ID": delivery_id,
        "BOX-DELIVERY-TIMESTAMP": stamp,
        "BOX-SIGNATURE-VERSION": "1",
        "BOX-SIGNATURE-ALGORITHM": "HmacSHA256",
        f"BOX-SIGNATURE-{header}": box_sign(key, body, stamp),
    }
    return body, headers  # fmt: skip


def test_a_signed_delivery_refreshes_its_sign_request_with_one_call(client, box, provider_calls):
    sandbox.change(REQUEST_ID, status="signed", finished_at="2026-12-01T18:00:00.000Z")
    body, headers = delivery()
    assert "ü".encode() in body  # non-ASCII payload, verified on its bytes

    response = post(client, box, body, headers)

    assert response.status_code == 200, response.content
    document = SignedDocument.objects.get(account=box, external_id=REQUEST_ID)
    assert document.status == "completed"
    reads = [c for c in provider_calls if "/2.0/sign_requests" in c]
    assert reads == [f"GET /sandbox/box/2.0/sign_requests/{REQUEST_ID}"]
    state = WebhookState.objects.get(account=box)
    assert (state.last_event, state.last_result, state.accepted) == (
        "SIGN_REQUEST.COMPLETED", "accepted", 1)  # fmt: skip
    assert not refusals()


def test_either_key_verifies_so_keys_can_be_rotated(client, box, deferred):
    body, headers = delivery(key=SECONDARY, header="SECONDARY")
    assert post(client, box, body, headers).status_code == 200
    # The primary header signed with the secondary key is not the primary signature.
    body, headers = delivery(key=SECONDARY, header="PRIMARY", event_id="e2", delivery_id="d2")
    assert post(client, box, body, headers).status_code == 401
    # After rotation only the new primary is stored: it verifies alone.
    box.credentials = {**box.credentials, "webhook_primary_key": "rotated-new-key"}
    box.save()
    body, headers = delivery(key="rotated-new-key", event_id="e3", delivery_id="d3")
    assert post(client, box, body, headers).status_code == 200


@pytest.mark.parametrize(
    ("change", "status", "reason"),
    [
        ({"age": timedelta(minutes=11)}, 401, "stale"),
        ({"key": "forged-key"}, 401, "bad_signature"),
        ({"body": b'{"type": "webhook_event", "id": '}, 400, "malformed"),
        ({"body": b"[1, 2]"}, 400, "malformed"),
    ],
)
def test_stale_forged_and_malformed_deliveries_change_nothing(
    client, box, deferred, change, status, reason
):
    body, headers = delivery(**change)
    response = post(client, box, body, headers)
    assert response.status_code == status
    assert response.json()["code"] == reason
    assert not PendingRefresh.objects.exists() and not ReplayGuard.objects.exists()
    assert not deferred.results
    (event,) = refusals(reason)
    assert event.details == {"provider": "box", "account": "HR Box", "reason": reason}
    assert event.result == "refused" and str(box.pk) in event.target


def test_a_replayed_delivery_and_a_retry_of_an_accepted_event_are_refused(client, box, deferred):
    body, headers = delivery()
    assert post(client, box, body, headers).status_code == 200
    assert post(client, box, body, headers).status_code == 409  # same delivery again
    retry_body, retry_headers = delivery(delivery_id="dlv-2")  # Box's retry: same body id
    assert post(client, box, retry_body, retry_headers).status_code == 409
    assert len(deferred.results) == 1
    assert [e.details["reason"] for e in refusals()] == ["replayed", "replayed"]


def test_unsigned_oversized_and_unconfigured_deliveries_are_refused(client, box, settings):
    body, headers = delivery()
    del headers["BOX-SIGNATURE-PRIMARY"]
    assert post(client, box, body, headers).status_code == 401
    settings.SIGNHUB_WEBHOOK_MAX_BODY = 1024
    big, headers = delivery(body=b'{"pad": "' + b"x" * 2000 + b'"}')
    assert post(client, box, big, headers).status_code == 413
    box.credentials = {"client_id": "c", "client_secret": "s"}
    box.save()
    body, headers = delivery(event_id="e9", delivery_id="d9")
    assert post(client, box, body, headers).status_code == 403
    assert sorted(e.details["reason"] for e in refusals()) == [
        "bad_signature", "not_configured", "too_large"]  # fmt: skip
    assert not SignedDocument.objects.exists()


def test_only_post_and_only_known_accounts(client, box):
    assert client.get(f"/webhooks/{box.endpoint_key}/").status_code == 405
    assert (
        client.post(
            "/webhooks/no-such-key/", data=b"{}", content_type="application/json"
        ).status_code
        == 404
    )
