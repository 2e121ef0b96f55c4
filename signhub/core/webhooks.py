"""What a connector's `webhooks.py` is handed and hands back (no database, no views).

The generic receiver (`signhub.webhooks`) reads the request, caps its size and gives the
connector an `Inbound`: the RAW body bytes and the headers. The connector verifies the
provider's signature on those bytes before parsing anything, then answers with a
`Delivery` (what happened, which document, which ids make it unique for replay checks) or
raises `Refused` (a reason code and plain words; never the payload).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class Refused(Exception):
    """A delivery that must change nothing: forged, stale, malformed or not configured."""

    def __init__(self, reason: str, message: str, *, status: int = 401) -> None:
        super().__init__(message)
        self.reason = reason  # a short code, kept in the audit trail and on the account page
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Inbound:
    body: bytes
    headers: Mapping[str, str]  # case-insensitive (Django's request.headers)
    content_type: str = ""
    form: Mapping[str, str] = field(default_factory=dict)  # parsed only after verification

    def header(self, name: str) -> str:
        return (self.headers.get(name) or "").strip()


@dataclass
class Delivery:
    """A verified event. `document_id`: the external id to refresh (None: the event does not
    name one, so the account syncs incrementally). `replay_keys`: identifiers that may be
    accepted once within the tolerance window (delivery id, event id). `acknowledge_only`:
    answer 2xx and do nothing (a provider's verification ping)."""

    event: str
    document_id: str | None = None
    replay_keys: list[str] = field(default_factory=list)
    acknowledge_only: bool = False
    read_as: str | None = None  # Box: the user the event came through, when known


def hmac_sha256(key: str | bytes, message: bytes) -> bytes:
    secret = key.encode() if isinstance(key, str) else key
    return hmac.new(secret, message, hashlib.sha256).digest()


def same(expected: str | bytes, given: str | bytes) -> bool:
    """Constant-time comparison of two signatures (text compared as UTF-8 bytes)."""
    left = expected.encode() if isinstance(expected, str) else expected
    right = given.encode() if isinstance(given, str) else given
    return hmac.compare_digest(left, right)


def parse_json(body: bytes) -> dict[str, Any]:
    """The verified body as a JSON object, or Refused (400) when it is not one."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Refused("malformed", "The body is not valid JSON.", status=400) from None
    if not isinstance(data, dict):
        raise Refused("malformed", "The body is not a JSON object.", status=400)
    return data
