"""The seed's two shapes: one version (GET/POST /signature) and a list item (GET /signatures)."""

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
        "version_created_at": timestamp(sig.created_at),
        "version_comment": sig.version_comment,
        "tags": list(sig.tags),
        "stage": sig.stage,
        "parent": sig.parent_id,
        "created_at": timestamp(sig.created_at),
        "updated_at": timestamp(sig.updated_at),
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
        "created_at": timestamp(sig.created_at),
        "updated_at": timestamp(sig.updated_at),
    }
