"""JSign JSON (a list row, plus the details answer when fetched) → DocumentRecord.

Parsed defensively: any key may be missing or null, and both spellings the docs use are
accepted (`creation_time_utc` / `creations_time_utc`; `documents` as object or array).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from signhub.core.connector import DocumentRecord, FileRecord, SignerRecord
from signhub.core.dates import to_utc
from signhub.core.parsing import as_dict, as_text, dicts

from .statuses import SIGNED_STATUSES, STATUSES

AUDIT_KEY = "audit"
# Per-signer fields the details docs do not spell out: the names we look for, in order.
_SIGNER_STATUS_KEYS = ("status", "signing_status", "signer_status", "sign_status", "action")
_SIGNER_TIME_KEYS = (
    "signed_time_utc",
    "signing_time_utc",
    "signed_date_utc",
    "signed_on_utc",
    "action_time_utc",
    "declined_time_utc",
    "signed_at",
)
_COMPLETED_KEYS = (
    "completed_time_utc",
    "completion_time_utc",
    "completed_date_utc",
    "document_completed_date_utc",
)


def parse_date(value: Any) -> datetime | None:
    """JSign times are naive UTC with a variable fraction; request-style `mm/dd/yyyy` too."""
    parsed = to_utc(value)
    if parsed is None and isinstance(value, str):
        try:
            parsed = datetime.strptime(value.strip(), "%m/%d/%Y").replace(tzinfo=UTC)
        except ValueError:
            return None
    return parsed


def split_categories(value: Any) -> list[str]:
    """The list sends `" NDA, New Document"` (a string), details send an array."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list):
        return []
    labels = []
    for item in items:
        label = as_text(item.get("name") if isinstance(item, dict) else item).strip()
        if label and label not in labels:
            labels.append(label)
    return labels


def detail_parts(details: dict[str, Any] | None) -> tuple[dict, list[dict], list[dict]]:
    """(envelope, documents, signers) of a details answer, each safe to read."""
    if not isinstance(details, dict):
        return {}, [], []
    envelope = as_dict(details.get("envelope"))
    recipients = details.get("recipients")
    signers = (
        dicts(recipients.get("signers")) if isinstance(recipients, dict) else dicts(recipients)
    )
    return envelope, dicts(details.get("documents")), signers


def signer_record(raw: dict[str, Any], position: int) -> SignerRecord:
    name = " ".join(p for p in (as_text(raw.get("first_name")), as_text(raw.get("last_name"))) if p)
    status = next((as_text(raw[k]) for k in _SIGNER_STATUS_KEYS if raw.get(k)), "")
    if not status and isinstance(raw.get("is_signed"), bool):
        status = "signed" if raw["is_signed"] else "pending"
    decided = next((parse_date(raw[k]) for k in _SIGNER_TIME_KEYS if raw.get(k)), None)
    order = raw.get("signing_order")
    return SignerRecord(
        email=as_text(raw.get("email")).strip(),
        name=name.strip() or as_text(raw.get("name")).strip(),
        role="signer",
        status=status,
        order=int(order) if isinstance(order, int | str) and str(order).isdigit() else position,
        decided_at=decided,
    )


def file_records(
    envelope_id: str, title: str, documents: list[dict], envelope_signed: bool
) -> list[FileRecord]:
    """One file per envelope document (signed copy once signed), plus the audit log."""
    files = []
    for doc in documents:
        doc_id = doc.get("documents_id") or doc.get("document_id") or doc.get("id")
        if doc_id in (None, ""):
            continue
        chain = as_dict(doc.get("blockchain"))
        signed = envelope_signed or chain.get("is_sign_process_completed") is True
        files.append(
            FileRecord(
                key=f"doc-{doc_id}",
                name=as_text(doc.get("name")) or f"{title or envelope_id}.pdf",
                kind="signed" if signed else "original",
                handle={"envelope_id": envelope_id, "document_id": str(doc_id), "signed": signed},
            )
        )
    if envelope_signed:
        files.append(
            FileRecord(
                key=AUDIT_KEY,
                name="audit-log.json",
                kind="audit",
                handle={"envelope_id": envelope_id, "audit": True},
            )
        )
    return files


def to_record(row: dict[str, Any], details: dict[str, Any] | None) -> DocumentRecord:
    """One envelope from its list row and (when fetched) its details answer."""
    envelope, documents, raw_signers = detail_parts(details)
    envelope_id = as_text(row.get("envelope_id") or envelope.get("id"))
    title = row.get("name") if row.get("name") is not None else envelope.get("name")
    raw_status = as_text(row.get("status") or envelope.get("envelope_status"))
    signers = [signer_record(s, i) for i, s in enumerate(raw_signers, start=1)]
    signers.sort(key=lambda s: s.order or 0)
    decided = [s.decided_at for s in signers if s.decided_at]

    completed_at = None
    if raw_status in SIGNED_STATUSES:
        completed_at = next(
            (parse_date(envelope[k]) for k in _COMPLETED_KEYS if envelope.get(k)), None
        ) or (max(decided) if decided else None)
    cancelled_at = parse_date(envelope.get("document_cancel_date_utc"))
    activity = [d for d in (completed_at, cancelled_at, *decided) if d]

    creator_email = as_text(envelope.get("created_by"))
    labels = split_categories(row.get("categories"))
    if not labels:
        labels = split_categories(envelope.get("categories"))
    return DocumentRecord(
        external_id=envelope_id,
        title=as_text(title),  # exactly as sent: escaping is the template's job
        status=STATUSES.normalize(raw_status or None),
        provider_status=raw_status,
        sender_name=as_text(row.get("created_by")).strip(),
        sender_email=creator_email.strip() if "@" in creator_email else "",
        signers=signers,
        labels=labels,
        files=file_records(envelope_id, as_text(title), documents, raw_status in SIGNED_STATUSES),
        created_at=parse_date(
            row.get("creation_time_utc")
            or row.get("creations_time_utc")
            or envelope.get("creation_time_utc")
        ),
        completed_at=completed_at,
        expires_at=parse_date(envelope.get("signing_due_date")),
        last_activity_at=max(activity) if activity else None,
        raw={"list": row, "details": details},
    )
