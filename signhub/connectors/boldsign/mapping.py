"""BoldSign list rows (list, teamlist, behalfList) → DocumentRecord.

Rows are parsed defensively: any key may be missing or null, and the paging cursor is
`cursor` (SDK model) or `nextCursor` (behalfList docs sample). Timestamps are unix seconds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from signhub.core.connector import DocumentRecord, FileRecord, SignerRecord
from signhub.core.dates import to_utc
from signhub.core.parsing import as_dict, as_int, as_text

from .statuses import STATUSES

# Per-signer statuses that mean the signer has decided (signed or declined).
_DECIDED = {"completed", "declined"}


def row_cursor(row: dict[str, Any]) -> Any:
    """The row's paging cursor: `cursor` (SDK model) or `nextCursor` (behalfList docs)."""
    for key in ("cursor", "nextCursor", "Cursor", "NextCursor"):
        value = row.get(key)
        if value not in (None, ""):
            return value
    return None


def activity_ts(row: dict[str, Any]) -> int | None:
    """`activityDate` as unix seconds (milliseconds tolerated), for high-water marks."""
    value = as_int(row.get("activityDate"))
    if value is not None and value > 10**11:
        value //= 1000
    return value


def behalf_email(row: dict[str, Any]) -> str:
    """The sender identity a behalf document was sent for (download needs it)."""
    return as_text(as_dict(row.get("behalfOf")).get("emailAddress")).strip()


def _signers(row: dict[str, Any], activity_at: datetime | None) -> list[SignerRecord]:
    activity_by = as_text(row.get("activityBy")).strip().lower()
    out: list[SignerRecord] = []
    details = row.get("signerDetails")
    for item in details if isinstance(details, list) else []:
        if not isinstance(item, dict):
            continue
        email = as_text(item.get("signerEmail")).strip()
        status = as_text(item.get("status"))
        # Rows carry no per-signer time. When the last activity on the document was this
        # signer's and they have decided, that activity time is their decision time
        # (approximate; the exact one is in the audit trail).
        decided_at = None
        if status.lower() in _DECIDED and email and email.lower() == activity_by:
            decided_at = activity_at
        out.append(
            SignerRecord(
                email=email,
                name=as_text(item.get("signerName")),
                role=(as_text(item.get("signerType")) or "Signer").lower(),
                status=status,
                order=as_int(item.get("order")),
                decided_at=decided_at,
            )
        )
    return out


def _files(document_id: str, status: str, behalf: str) -> list[FileRecord]:
    # Drafts have not been sent: there is no signed PDF or audit trail to fetch yet.
    if status == "Draft":
        return []
    handle: dict[str, Any] = {"documentId": document_id}
    if behalf:
        handle["onBehalfOf"] = behalf
    return [
        FileRecord(key="signed", name="document.pdf", kind="signed", handle=dict(handle)),
        FileRecord(key="audit", name="audit-trail.pdf", kind="audit", handle=dict(handle)),
    ]


def to_record(row: dict[str, Any]) -> DocumentRecord | None:
    """One list row → a record; None for a row without a document id."""
    document_id = as_text(row.get("documentId")).strip()
    if not document_id:
        return None
    raw_status = row.get("status")
    status_text = as_text(raw_status)
    sender = as_dict(row.get("senderDetail"))
    behalf = as_dict(row.get("behalfOf"))
    activity_at = to_utc(activity_ts(row))
    created_at = to_utc(row.get("createdDate"))
    scheduled_at = to_utc(row.get("scheduledSendTime"))
    labels = row.get("labels")
    return DocumentRecord(
        external_id=document_id,
        title=as_text(row.get("messageTitle")),  # exactly as sent
        status=STATUSES.normalize(raw_status),
        provider_status=status_text,
        # The account user who sent it; for behalf documents fall back to the identity.
        sender_name=as_text(sender.get("name")) or as_text(behalf.get("name")),
        sender_email=as_text(sender.get("emailAddress")) or behalf_email(row),
        signers=_signers(row, activity_at),
        labels=[x for x in labels if isinstance(x, str) and x.strip()]
        if isinstance(labels, list)
        else [],
        files=_files(document_id, status_text, behalf_email(row)),
        created_at=created_at,
        # Sent on creation unless scheduled; drafts are not sent.
        sent_at=None if status_text == "Draft" else (scheduled_at or created_at),
        # List rows have no completion time: the last activity of a Completed row is it
        # (approximate: a later download or view may move activityDate).
        completed_at=activity_at if status_text == "Completed" else None,
        expires_at=to_utc(row.get("expiryDate")),
        last_activity_at=activity_at,
        raw=row,
    )
