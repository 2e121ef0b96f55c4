"""Acme Sign webhooks (optional: delete this file and `receives_webhooks` if the provider
has none). `verify` gets the RAW body and the headers (signhub.core.webhooks.Inbound) and
must check the signature on those bytes before parsing anything; it returns a Delivery
(which document to refresh, which ids make the delivery unique) or raises Refused.

The fictional provider signs like many do: `Acme-Signature: t=<unix>, v1=<hex>` with
v1 = hex HMAC-SHA256(secret, "{t}.{body}"), 5 minutes of tolerance.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from signhub.core.parsing import as_dict, as_int, as_text
from signhub.core.webhooks import Delivery, Inbound, Refused, hmac_sha256, parse_json, same

TOLERANCE_SECONDS = 300
SETUP = "In Acme → Settings → Webhooks add this URL, then copy the secret into Webhook secret."


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    return hmac_sha256(secret, f"{timestamp}.".encode() + body).hex()


def verify(inbound: Inbound, credentials: Mapping[str, Any], now: datetime) -> Delivery:
    secret = str(credentials.get("webhook_secret") or "")
    if not secret:
        raise Refused("not_configured", "No webhook secret is stored.", status=403)
    parts = dict(p.strip().partition("=")[::2] for p in inbound.header("Acme-Signature").split(","))
    stamp, given = parts.get("t", ""), parts.get("v1", "")
    if not stamp or not given or not same(signature(secret, stamp, inbound.body), given):
        raise Refused("bad_signature", "The signature does not match the webhook secret.")
    moment = as_int(stamp)
    if moment is None or abs(now.timestamp() - moment) > TOLERANCE_SECONDS:
        raise Refused("stale", "The delivery is more than 5 minutes old.")
    data = parse_json(inbound.body)
    envelope = as_text(as_dict(data.get("envelope")).get("id")).strip()
    event_id = as_text(data.get("id")).strip()
    return Delivery(
        event=as_text(data.get("type"))[:64] or "unknown",
        document_id=envelope or None,
        replay_keys=[f"event:{event_id}"] if event_id else [],
    )
