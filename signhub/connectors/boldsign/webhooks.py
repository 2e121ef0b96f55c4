"""BoldSign webhooks: verify `X-BoldSign-Signature` on the raw body, name the document.

https://developers.boldsign.com/webhooks/verify-webhook-events/ — the header is
`t=<unix seconds>, s0=<hex>[, s1=<hex>]`; each `sN` is the hex HMAC-SHA256 of `"{t}.{body}"`
with the webhook secret (s1 while a rolled secret is still valid), and `t` must be within
300 s of now. The body is `{event: {id, eventType, …}, data: {object: "document",
documentId, …}}`. BoldSign pings a new webhook URL with a `Verification` event that must
get a 2xx within 10 s; it changes nothing here, so it is answered even before a secret is
stored (the secret is only shown once the webhook exists).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from signhub.core.parsing import as_dict, as_int, as_text
from signhub.core.webhooks import Delivery, Inbound, Refused, hmac_sha256, parse_json, same

TOLERANCE_SECONDS = 300
# What the account page tells an administrator (signhub.webhooks.panel).
SETUP = (
    "In BoldSign → API → Webhooks, add this URL (app or account level) with the document "
    "events (Sent, Signed, Completed, Declined, Revoked, Expired, …); BoldSign checks it with "
    "a Verification event at once. Then copy the webhook's signing secret into Webhook secret."
)

VERIFICATION = "Verification"


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """What BoldSign sends as `s0` for this timestamp and body."""
    return hmac_sha256(secret, f"{timestamp}.".encode() + body).hex()


def parse_header(value: str) -> tuple[str, list[str]]:
    """`t=…, s0=…, s1=…` → (t, [s0, s1])."""
    stamp, signatures = "", []
    for part in value.split(","):
        key, _, item = part.strip().partition("=")
        if key == "t":
            stamp = item.strip()
        elif key.startswith("s") and key[1:].isdigit():
            signatures.append(item.strip())
    return stamp, signatures


def verify(inbound: Inbound, credentials: Mapping[str, Any], now: datetime) -> Delivery:
    secret = str(credentials.get("webhook_secret") or "")
    if not secret:
        return _unverifiable(inbound)
    stamp, signatures = parse_header(inbound.header("X-BoldSign-Signature"))
    if not stamp or not signatures:
        raise Refused("unsigned", "The delivery has no X-BoldSign-Signature.")
    expected = signature(secret, stamp, inbound.body)
    if not any(same(expected, given.lower()) for given in signatures):
        raise Refused("bad_signature", "The BoldSign signature does not match the secret.")
    moment = as_int(stamp)
    if moment is None or abs(now.timestamp() - moment) > TOLERANCE_SECONDS:
        raise Refused("stale", "The delivery's timestamp is more than 300 s from now.")
    return _delivery(parse_json(inbound.body))


def _unverifiable(inbound: Inbound) -> Delivery:
    """No secret yet: only BoldSign's Verification ping is answered (it changes nothing)."""
    try:
        delivery = _delivery(parse_json(inbound.body))
    except Refused:
        delivery = None
    if delivery is not None and delivery.acknowledge_only:
        return delivery
    raise Refused(
        "not_configured",
        "No BoldSign webhook secret is stored for this account (webhook_secret).",
        status=403,
    )


def _delivery(data: dict[str, Any]) -> Delivery:
    event = as_dict(data.get("event"))
    kind = as_text(event.get("eventType"))[:64] or "unknown"
    if kind == VERIFICATION:
        return Delivery(event=kind, acknowledge_only=True)
    body = as_dict(data.get("data"))
    document_id = as_text(body.get("documentId")).strip()
    event_id = as_text(event.get("id")).strip()
    return Delivery(
        event=kind,
        document_id=document_id or None,
        replay_keys=[f"event:{event_id}"] if event_id else [],
    )
