"""JSign JSON (a list row, plus the details answer and history when fetched) → DocumentRecord.

Parsed defensively: any key may be missing or null, and both spellings the docs use are
accepted (`creation_time_utc` / `creations_time_utc`; `documents` as object or array).

Completion time (docs/connector-jsign.md, "Dates"): the envelope's own completion field when
the details carry one, else the last signer's `signed_time_utc` once every signer signed,
else the `Completed` entry of the envelope history (`GET .../history`, fetched by the
connector only for completed envelopes the details leave undated).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from signhub.core.connector import DocumentRecord, FileRecord, SignerRecord
from signhub.core.dates import to_utc
from signhub.core.parsing import as_dict, as_text, dicts
from signhub.core.status import DocumentStatus

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


def history_entries(history: Any) -> list[dict[str, Any]]:
    """`envelope_history[]` of a history answer (under `data` or not)."""
    if not isinstance(history, dict):
        return []
    data = as_dict(history.get("data")) or history
    return dicts(data.get("envelope_history"))


def completed_in_history(history: Any) -> datetime | None:
    """The time of the history's last `Completed` activity."""
    times = [
        parse_date(e.get("log_time_utc"))
        for e in history_entries(history)
        if as_text(e.get("activity")).strip().lower() == "completed"
    ]
    times = [t for t in times if t]
    return max(times) if times else None


def completion(
    envelope: dict[str, Any], signers: list[SignerRecord], history: Any
) -> datetime | None:
    """When a completed envelope completed (see the module docstring for the order)."""
    own = next((parse_date(envelope[k]) for k in _COMPLETED_KEYS if envelope.get(k)), None)
    if own:
        return own
    if signers and all(s.decided_at for s in signers):
        return max(s.decided_at for s in signers)
    return completed_in_history(history)


def needs_history(record: DocumentRecord) -> bool:
    """A completed envelope the details left undated: its history has the time."""
    return record.status == DocumentStatus.COMPLETED and record.completed_at is None


def document_hash(documents: list[dict]) -> str:
    """The signed document's hash from JSign's blockchain record (the first document's)."""
    for doc in documents:
        chain = as_dict(doc.get("blockchain"))
        value = as_text(chain.get("signed_document_hash")).strip()
        if value:
            return value
    return ""


def ending(status: str, envelope: dict[str, Any], signers: list[SignerRecord]):
    """(ended_at, reason, by whom) of a declined, cancelled or expired envelope.

    JSign keeps one `cancel_reason` / `document_cancel_date_utc` for both a sender's cancel
    and a signer's decline; who declined is the signer whose status says so."""
    if status == DocumentStatus.EXPIRED:
        return parse_date(envelope.get("signing_due_date")), "", ""
    if status not in (DocumentStatus.DECLINED, DocumentStatus.CANCELLED):
        return None, "", ""
    when = parse_date(envelope.get("document_cancel_date_utc"))
    reason = as_text(envelope.get("cancel_reason")).strip()
    who = ""
    if status == DocumentStatus.DECLINED:
        decliner = next((s for s in signers if s.status.lower().startswith("declin")), None)
        if decliner:
            who = decliner.name or decliner.email
            when = when or decliner.decided_at
    return when, reason, who


def to_record(
    row: dict[str, Any], details: dict[str, Any] | None, history: Any = None
) -> DocumentRecord:
    """One envelope from its list row and (when fetched) its details answer and history."""
    envelope, documents, raw_signers = detail_parts(details)
    envelope_id = as_text(row.get("envelope_id") or envelope.get("id"))
    title = row.get("name") if row.get("name") is not None else envelope.get("name")
    raw_status = as_text(row.get("status") or envelope.get("envelope_status"))
    status = STATUSES.normalize(raw_status or None)
    signers = [signer_record(s, i) for i, s in enumerate(raw_signers, start=1)]
    signers.sort(key=lambda s: s.order or 0)
    decided = [s.decided_at for s in signers if s.decided_at]

    completed_at = None
    if raw_status in SIGNED_STATUSES:
        completed_at = completion(envelope, signers, history)
    ended_at, reason, ended_by = ending(status, envelope, signers)
    activity = [d for d in (completed_at, ended_at, *decided) if d]

    creator_email = as_text(envelope.get("created_by"))
    labels = split_categories(row.get("categories"))
    if not labels:
        labels = split_categories(envelope.get("categories"))
    return DocumentRecord(
        external_id=envelope_id,
        title=as_text(title),  # exactly as sent: escaping is the template's job
        status=status,
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
        ended_at=ended_at,
        end_reason=reason,
        ended_by=ended_by,
        document_hash=document_hash(documents),
        raw={"list": row, "details": details, **({"history": history} if history else {})},
    )
