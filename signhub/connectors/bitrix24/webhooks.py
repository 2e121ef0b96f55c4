"""Bitrix24 events: verify `auth[application_token]`, then sync the account.

https://apidocs.bitrix24.com/api-reference/events/index.html — events bound with
`event.bind` arrive as form-encoded POSTs (`event`, `event_handler_id`, `data[…]`, `ts`,
`auth[…]`), are never retried, and are authenticated only by the application token the
portal sent at install (stored as the credential `application_token`). The e-signature
events (`ONSIGNB2EDOCUMENTSTATUSCHANGED`, `ONSIGNB2EMEMBERSTATUSCHANGED`) carry a
`documentUid`, not the id of the tail rows signhub lists, so a verified event means "sync
this account incrementally now".

Assumptions (the docs are silent): an event whose `ts` is more than 10 minutes from now is
stale; an identical body seen twice is a replay.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from signhub.core.parsing import as_int
from signhub.core.webhooks import Delivery, Inbound, Refused, same

EVENTS = ("ONSIGNB2EDOCUMENTSTATUSCHANGED", "ONSIGNB2EMEMBERSTATUSCHANGED")
TOLERANCE_SECONDS = 600
# What the account page tells an administrator (signhub.webhooks.panel).
SETUP = (
    "Nothing to enter: the install (and every reconnect) binds the e-signature events to this "
    "URL with event.bind and keeps the application token that verifies them. A portal that "
    "cannot reach signhub: set the option events=offline and signhub reads them every minute."
)


def parse_form(body: bytes) -> dict[str, str]:
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise Refused("malformed", "The event is not form-encoded UTF-8.", status=400) from None
    return dict(pairs)


def verify(inbound: Inbound, credentials: Mapping[str, Any], now: datetime) -> Delivery:
    token = str(credentials.get("application_token") or "")
    if not token:
        raise Refused(
            "not_configured",
            "The account has no application token yet: install the application on the portal.",
            status=403,
        )
    form = parse_form(inbound.body)
    given = form.get("auth[application_token]", "")
    if not given or not same(token, given):
        raise Refused("bad_signature", "auth[application_token] is not this account's.")
    member = str(credentials.get("member_id") or "")
    if member and form.get("auth[member_id]") and not same(member, form["auth[member_id]"]):
        raise Refused("wrong_portal", "The event comes from another portal (member_id).")
    stamp = as_int(form.get("ts"))
    if stamp is None or abs(now.timestamp() - stamp) > TOLERANCE_SECONDS:
        raise Refused("stale", "The event's ts is missing or more than 10 minutes from now.")
    event = form.get("event", "").upper()[:64]
    if not event:
        raise Refused("malformed", "The event has no name.", status=400)
    return Delivery(
        event=event,
        replay_keys=[f"body:{hashlib.sha256(inbound.body).hexdigest()}"],
        acknowledge_only=event not in EVENTS,
    )
