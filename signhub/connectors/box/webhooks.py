"""Box webhooks (v2): verify a delivery on its raw bytes, name the sign request it is about.

https://developer.box.com/guides/webhooks/v2/signatures-v2/ — each delivery carries
`BOX-DELIVERY-TIMESTAMP` and `BOX-SIGNATURE-PRIMARY` / `-SECONDARY`: base64 HMAC-SHA256 over
the body bytes followed by the timestamp bytes, the primary header with the primary key, the
secondary with the secondary key. Either matching is enough, so a key can be rotated one at
a time. Deliveries older than 10 minutes are refused. The bytes are compared as received
(box-sdk-gen's verifier re-encodes the body and fails on non-ASCII payloads).

A retry keeps the body's `id` and gets a new `BOX-DELIVERY-ID`: both are replay keys.
Sign events (https://developer.box.com/guides/box-sign/webhooks/) name the sign request in
`additional_info.sign_request_id` (else a `sign_request` source); without one the account
is synced.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from signhub.core.parsing import as_dict, as_text
from signhub.core.webhooks import Delivery, Inbound, Refused, hmac_sha256, parse_json, same

MAX_AGE = timedelta(minutes=10)
# What the account page tells an administrator (signhub.webhooks.panel).
SETUP = (
    "Press Create webhook with the id of the folder where the sign requests are created (not "
    "the root folder), or add a webhook in the Developer Console (your app → Webhooks) with "
    "this URL and the SIGN_REQUEST triggers. Then copy the app's two signature keys (Webhooks "
    "→ Manage signature keys) into Webhook primary key and Webhook secondary key. Box "
    "delivers only to HTTPS on port 443."
)

KEYS = (
    ("webhook_primary_key", "BOX-SIGNATURE-PRIMARY"),
    ("webhook_secondary_key", "BOX-SIGNATURE-SECONDARY"),
)
# Box creates webhooks with these triggers (POST /2.0/webhooks, see `webhook_triggers`).
TRIGGERS = (
    "SIGN_REQUEST.COMPLETED",
    "SIGN_REQUEST.DECLINED",
    "SIGN_REQUEST.EXPIRED",
    "SIGN_REQUEST.SIGNER_SIGNED",
    "SIGN_REQUEST.SIGNATURE_REQUESTED",
    "SIGN_REQUEST.ERROR_FINALIZING",
)


def signature(key: str, body: bytes, timestamp: str) -> str:
    """What Box sends in a signature header for this body and timestamp."""
    return base64.b64encode(hmac_sha256(key, body + timestamp.encode())).decode()


def _timestamp(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Refused("bad_timestamp", "BOX-DELIVERY-TIMESTAMP is not a date.") from None
    if moment.tzinfo is None:
        raise Refused("bad_timestamp", "BOX-DELIVERY-TIMESTAMP has no time zone.")
    return moment.astimezone(UTC)


def verify(inbound: Inbound, credentials: Mapping[str, Any], now: datetime) -> Delivery:
    keys = [(str(credentials.get(k) or ""), h) for k, h in KEYS if credentials.get(k)]
    if not keys:
        raise Refused(
            "not_configured",
            "No Box webhook key is stored for this account (webhook_primary_key).",
            status=403,
        )
    stamp = inbound.header("BOX-DELIVERY-TIMESTAMP")
    if not stamp:
        raise Refused("unsigned", "The delivery has no BOX-DELIVERY-TIMESTAMP.")
    if not any(
        inbound.header(header) and same(signature(key, inbound.body, stamp), inbound.header(header))
        for key, header in keys
    ):
        raise Refused("bad_signature", "No Box signature matches the stored webhook keys.")
    if abs(now - _timestamp(stamp)) > MAX_AGE:
        raise Refused("stale", "The delivery is older than 10 minutes.")
    data = parse_json(inbound.body)
    keys_seen = [f"delivery:{inbound.header('BOX-DELIVERY-ID')}"]
    if as_text(data.get("id")):
        keys_seen.append(f"event:{as_text(data['id'])}")
    return Delivery(
        event=as_text(data.get("trigger"))[:64] or "unknown",
        document_id=sign_request_id(data),
        replay_keys=[k for k in keys_seen if not k.endswith(":")],
    )


def sign_request_id(data: dict[str, Any]) -> str | None:
    info = as_dict(data.get("additional_info"))
    found = as_text(info.get("sign_request_id")) or as_text(
        as_dict(info.get("sign_request")).get("id")
    )
    source = as_dict(data.get("source"))
    if not found and as_text(source.get("type")).replace("-", "_") == "sign_request":
        found = as_text(source.get("id"))
    return found.strip() or None
