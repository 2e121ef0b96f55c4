"""BoldSign list rows (list, teamlist, behalfList) → DocumentRecord.

Rows are parsed defensively: any key may be missing or null, and the paging cursor is
`cursor` (SDK model) or `nextCursor` (behalfList docs sample). Timestamps are unix seconds.

Shapes: the list row is the SDK's `Document` model (boldsign-php-sdk docs/Model/Document.md:
`isDeleted`, `activityDate`, `activityBy`, `signerDetails[]`); the list carries no decline
or revoke message and no completion time. The richer shapes (`DocumentProperties`:
`declineMessage`, `revokeMessage`; signer `declineMessage`, `lastActivityDate` in the
webhook signer model) are read when a row carries them (a refreshed document, a webhook).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from signhub.core.connector import DocumentRecord, FileRecord, SignerRecord
from signhub.core.dates import to_utc
from signhub.core.parsing import as_dict, as_int, as_text, dicts
from signhub.core.status import DocumentStatus

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
    for item in dicts(row.get("signerDetails")):
        email = as_text(item.get("signerEmail")).strip()
        status = as_text(item.get("status"))
        # List rows carry no per-signer time; richer shapes have `lastActivityDate`. Else,
        # when the last activity on the document was this signer's and they have decided,
        # that activity time is their decision time (approximate; exact in the audit trail).
        decided_at = None
        if status.lower() in _DECIDED:
            decided_at = to_utc(item.get("lastActivityDate"))
            if decided_at is None and email and email.lower() == activity_by:
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
    # /v1/document/download serves the document as it stands: a signed copy only once it
    # is Completed; declined, revoked, expired or in-progress ones are not signed.
    signed = status == "Completed"
    return [
        FileRecord(
            key="signed",
            name="document.pdf",
            kind="signed" if signed else "original",
            handle=dict(handle),
        ),
        FileRecord(key="audit", name="audit-trail.pdf", kind="audit", handle=dict(handle)),
    ]


def completion(row: dict[str, Any], activity_at: datetime | None) -> tuple[datetime | None, bool]:
    """(completed_at, approximate) of a Completed row: the last signer's `lastActivityDate`
    when every signer carries one (exact), else the row's `activityDate` (approximate: a
    later view or download moves it)."""
    if as_text(row.get("status")) != "Completed":
        return None, False
    signers = dicts(row.get("signerDetails"))
    times = [to_utc(s.get("lastActivityDate")) for s in signers]
    if times and all(times):
        return max(times), False
    return activity_at, activity_at is not None


def ending(row: dict[str, Any], status: str, activity_at) -> tuple[datetime | None, str, str]:
    """(ended_at, reason, by whom) of a declined, revoked or expired document."""
    if status == DocumentStatus.EXPIRED:
        return to_utc(row.get("expiryDate")) or activity_at, "", ""
    if status == DocumentStatus.DECLINED:
        signer = next(
            (s for s in dicts(row.get("signerDetails")) if as_text(s.get("status")) == "Declined"),
            {},
        )
        reason = as_text(signer.get("declineMessage")) or as_text(row.get("declineMessage"))
        who = as_text(signer.get("signerName")) or as_text(signer.get("signerEmail"))
        when = to_utc(signer.get("lastActivityDate")) or activity_at
        return when, reason.strip(), who or as_text(row.get("activityBy"))
    if status == DocumentStatus.CANCELLED:  # Revoked
        reason = as_text(row.get("revokeMessage")).strip()
        return activity_at, reason, as_text(row.get("activityBy"))
    return None, "", ""


# Where a list row keeps the decline / revoke words read from the document's properties,
# with the activity they belong to (a later activity reads them again).
DETAILS_KEY = "signhub_properties"
ENDED_WITH_WORDS = frozenset({DocumentStatus.DECLINED, DocumentStatus.CANCELLED})


def needs_words(row: dict[str, Any], stored: dict[str, Any] | None) -> bool:
    """Whether an ended row lacks its decline / revoke words and has none stored for its
    current activity (so the properties must be asked once)."""
    if STATUSES.normalize(row.get("status")) not in ENDED_WITH_WORDS:
        return False
    if as_text(row.get("declineMessage")) or as_text(row.get("revokeMessage")):
        return False
    if any(as_text(s.get("declineMessage")) for s in dicts(row.get("signerDetails"))):
        return False
    details = as_dict((stored or {}).get(DETAILS_KEY))
    return details.get("activityDate") != row.get("activityDate")


def stored_words(stored: dict[str, Any] | None, row: dict[str, Any]) -> dict[str, Any] | None:
    """The words kept from an earlier properties call for this same activity, if any."""
    details = as_dict((stored or {}).get(DETAILS_KEY))
    return details if details and details.get("activityDate") == row.get("activityDate") else None


def words_from_properties(properties: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """The decline / revoke words of a `DocumentProperties` answer, for DETAILS_KEY."""
    signers = {
        as_text(s.get("signerEmail")).lower(): {
            k: s[k] for k in ("declineMessage", "lastActivityDate") if s.get(k) is not None
        }
        for s in dicts(properties.get("signerDetails"))
        if as_text(s.get("signerEmail"))
    }
    return {
        "activityDate": row.get("activityDate"),
        "declineMessage": as_text(properties.get("declineMessage")),
        "revokeMessage": as_text(properties.get("revokeMessage")),
        "signers": {email: found for email, found in signers.items() if found},
    }


def with_words(row: dict[str, Any], details: dict[str, Any]) -> dict[str, Any]:
    """The list row with the properties' words merged in (and kept under DETAILS_KEY)."""
    by_email = as_dict(details.get("signers"))
    signers = [
        {**s, **as_dict(by_email.get(as_text(s.get("signerEmail")).lower()))}
        for s in dicts(row.get("signerDetails"))
    ]
    merged = {**row, "signerDetails": signers, DETAILS_KEY: details}
    for key in ("declineMessage", "revokeMessage"):
        if details.get(key) and not row.get(key):
            merged[key] = details[key]
    return merged


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
    status = STATUSES.normalize(raw_status)
    completed_at, approximate = completion(row, activity_at)
    ended_at, reason, ended_by = ending(row, status, activity_at)
    return DocumentRecord(
        external_id=document_id,
        title=as_text(row.get("messageTitle")),  # exactly as sent
        status=status,
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
        completed_at=completed_at,
        completed_at_approximate=approximate,
        expires_at=to_utc(row.get("expiryDate")),
        last_activity_at=activity_at,
        ended_at=ended_at,
        end_reason=reason,
        ended_by=ended_by,
        # Deleted documents stay in BoldSign's lists with `isDeleted`: removed, not live.
        deleted=row.get("isDeleted") is True,
        raw=row,
    )
