"""The seed's two shapes: one version (GET/POST /signature) and a list item (GET /signatures).

`created_at` is the chain's creation (its first save), `version_created_at` this version's
save, `updated_at` the chain's last change (its latest save) — as the API reference's example shows.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .blobs import to_base64
from .models import Signature

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


def timestamp(value: datetime | None) -> str | None:
    """The seed's naive "YYYY-MM-DD HH:MM:SS"; we always mean UTC."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def _times(sig: Signature) -> dict:
    return {
        "version_created_at": timestamp(sig.created_at),
        "created_at": timestamp(sig.chain.created_at),
        "updated_at": timestamp(sig.chain.updated_at),
    }


def signature_dict(sig: Signature) -> dict:
    blob = to_base64(sig.blob)
    return {
        "id": sig.id,
        "version": sig.version,
        "document": sig.document,
        "thread": sig.thread,
        "signature": blob,
        # The original service answered with `cms`; both keys carry the same base64 blob.
        "cms": blob,
        "version_created_by": sig.version_created_by,
        "version_comment": sig.version_comment,
        "tags": list(sig.tags),
        "stage": sig.stage,
        "parent": sig.parent_id,
        **_times(sig),
    }


def list_item_dict(sig: Signature) -> dict:
    return {
        "id": sig.id,
        "document": sig.document,
        "chain": sig.thread,
        "thread": sig.thread,
        "version": sig.version,
        "stage": sig.stage,
        "signature": to_base64(sig.blob),
        "parent": sig.parent_id,
        "tags": list(sig.tags),
        **_times(sig),
    }
