"""The flat export record of an indexed document, shared by the CLI and CSV downloads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.db.models import F

from .models import SignedDocument

EXPORT_FIELDS = [
    "provider",
    "account",
    "external_id",
    "title",
    "status",
    "provider_status",
    "sender_name",
    "sender_email",
    "signer_emails",
    "created_at",
    "sent_at",
    "completed_at",
    "expires_at",
    "last_activity_at",
    "completed_at_approximate",
    "ended_at",
    "ended_by",
    "end_reason",
    "labels",
    "removed_at",
]


def _ts(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def export_record(doc: SignedDocument, account_name: str) -> dict:
    return {
        "provider": doc.provider,
        "account": account_name,
        "external_id": doc.external_id,
        "title": doc.title,
        "status": doc.status,
        "provider_status": doc.provider_status,
        "sender_name": doc.sender_name,
        "sender_email": doc.sender_email,
        "signer_emails": [s.get("email") for s in doc.signers if s.get("email")],
        "created_at": _ts(doc.created_at),
        "sent_at": _ts(doc.sent_at),
        "completed_at": _ts(doc.completed_at),
        "expires_at": _ts(doc.expires_at),
        "last_activity_at": _ts(doc.last_activity_at),
        "completed_at_approximate": doc.completed_at_approximate,
        "ended_at": _ts(doc.ended_at),
        "ended_by": doc.ended_by,
        "end_reason": doc.end_reason,
        "labels": list(doc.labels),
        "removed_at": _ts(doc.removed_at),
    }


def iter_export(queryset, chunk_size: int = 2000) -> Iterator[dict]:
    """Constant memory: a server-side cursor on PostgreSQL, chunked fetches on SQLite.

    In the queryset's own order when it has one (the dashboard's list order), else by id.
    """
    rows = queryset.annotate(account_name=F("account__name")).defer("raw", "search_text", "files")
    if not rows.query.order_by:
        rows = rows.order_by("id")
    for doc in rows.iterator(chunk_size=chunk_size):
        yield export_record(doc, doc.account_name)
