"""One Box sign request (raw JSON) → a DocumentRecord.

Parsed from the raw JSON on purpose: the official SDK's models drop `created_at`,
`finished_at`, `short_id` and `error_code`. Every key may be missing or null.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from signhub.core.connector import DocumentRecord, FileRecord, SignerRecord
from signhub.core.dates import to_utc
from signhub.core.parsing import as_dict, as_list, as_text
from signhub.core.status import ENDED_STATUSES, DocumentStatus

from .statuses import STATUSES

logger = logging.getLogger("signhub.connectors.box")

# Signing links: whoever holds one can act on the request, so they never reach the index.
_SECRET_LINK_KEYS = ("embed_url", "iframeable_embed_url", "prepare_url")

# Roles that must act before a request is finished (`final_copy_reader` only receives a copy).
_ACTING_ROLES = {"signer", "approver"}


def scrub(entry: dict[str, Any]) -> dict[str, Any]:
    """The payload we keep as `raw`: everything except signing links."""
    raw = {k: v for k, v in entry.items() if k not in _SECRET_LINK_KEYS}
    if isinstance(raw.get("signers"), list):
        raw["signers"] = [
            {k: v for k, v in s.items() if k not in _SECRET_LINK_KEYS} if isinstance(s, dict) else s
            for s in raw["signers"]
        ]
    return raw


def signed_files(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """`sign_files.files[]` entries that carry an id."""
    files = as_list(as_dict(entry.get("sign_files")).get("files"))
    return [f for f in files if isinstance(f, dict) and f.get("id") not in (None, "")]


def title_of(entry: dict[str, Any]) -> str:
    """`name` exactly as sent; when it is missing or blank, the first signed file's name."""
    name = entry.get("name")
    if isinstance(name, str) and name.strip():
        return name
    for candidates in (signed_files(entry), as_list(entry.get("source_files"))):
        for f in candidates:
            if isinstance(f, dict) and isinstance(f.get("name"), str) and f["name"].strip():
                return f["name"]
    return as_text(entry.get("short_id")) or f"Box sign request {entry.get('id')}"


def signer_record(raw: dict[str, Any]) -> SignerRecord:
    decision = as_dict(raw.get("signer_decision"))
    # Box has no per-signer status field: the decision type when there is one, else
    # whether the signer opened the document.
    if decision.get("type"):
        status = as_text(decision["type"])
    else:
        status = "viewed" if raw.get("has_viewed_document") else "pending"
    order = raw.get("order")
    return SignerRecord(
        email=as_text(raw.get("email")),
        role=as_text(raw.get("role")) or "signer",
        status=status,
        order=order if isinstance(order, int) and not isinstance(order, bool) else None,
        decided_at=to_utc(decision.get("finalized_at")),
    )


def completed_at(entry: dict[str, Any], signers: list[SignerRecord]) -> datetime | None:
    """When a *signed* request completed: `finished_at`, else the last signer decision
    once every signer/approver decided. Only called for completed requests: Box also sets
    `finished_at` on declined ones, and a finalizing request is not complete yet."""
    finished = to_utc(entry.get("finished_at"))
    if finished:
        return finished
    acting = [s for s in signers if s.role in _ACTING_ROLES] or signers
    decided = [s.decided_at for s in acting if s.decided_at]
    return max(decided) if decided and len(decided) == len(acting) else None


def _decliner(signers: list[dict[str, Any]]) -> dict[str, Any]:
    for raw in signers:
        if as_dict(raw.get("signer_decision")).get("type") == "declined":
            return raw
    return {}


def ending(entry: dict[str, Any], status: str) -> tuple[datetime | None, str, str]:
    """(ended_at, reason, by whom) of a request that ended without completing.

    Declined: the declining signer's decision (`finalized_at`, `additional_info`, email);
    failed: Box's `error_code`; expired: `auto_expire_at`; else `finished_at`.
    """
    if status not in ENDED_STATUSES:
        return None, "", ""
    finished = to_utc(entry.get("finished_at"))
    if status == DocumentStatus.DECLINED:
        signer = _decliner(dicts_of(entry.get("signers")))
        decision = as_dict(signer.get("signer_decision"))
        when = to_utc(decision.get("finalized_at")) or finished
        return when, as_text(decision.get("additional_info")).strip(), as_text(signer.get("email"))
    if status == DocumentStatus.EXPIRED:
        return to_utc(entry.get("auto_expire_at")) or finished, "", ""
    if status == DocumentStatus.FAILED:
        return finished, as_text(entry.get("error_code")), ""
    return finished, "", ""


def dicts_of(value: Any) -> list[dict[str, Any]]:
    return [v for v in as_list(value) if isinstance(v, dict)]


def folder_of(entry: dict[str, Any]) -> str:
    """The parent folder's name (its id when Box sends no name)."""
    folder = as_dict(entry.get("parent_folder"))
    return as_text(folder.get("name")).strip() or as_text(folder.get("id"))


def file_records(entry: dict[str, Any], signed: bool) -> list[FileRecord]:
    """The request's PDFs (signed copies once it is signed, else the unsigned originals),
    the signing log and the files signers attached, as Box file ids (download URLs are
    never stored)."""
    files: list[FileRecord] = []
    seen: set[str] = set()

    def add(prefix: str, f: dict[str, Any], kind: str, default: str) -> None:
        key = f"{prefix}-{f['id']}"
        if key not in seen:
            seen.add(key)
            name = as_text(f.get("name")) or default
            files.append(FileRecord(key, name, kind, {"file_id": str(f["id"])}))

    for f in signed_files(entry):
        add("signed", f, "signed" if signed else "original", f"{f['id']}.pdf")
    log = as_dict(entry.get("signing_log"))
    if log.get("id") not in (None, ""):
        add("audit", log, "audit", "Signing log.pdf")
    for signer in dicts_of(entry.get("signers")):
        for f in dicts_of(signer.get("attachments")):
            if f.get("id") not in (None, ""):
                add("attachment", f, "attachment", f"Attachment {f['id']}")
    return files


def to_record(entry: dict[str, Any]) -> DocumentRecord | None:
    """Map one sign request; None (logged) when it has no id to key it on."""
    if entry.get("id") in (None, ""):
        logger.warning("Skipped a Box sign request without an id")
        return None
    raw_status = entry.get("status")
    signers = [signer_record(s) for s in as_list(entry.get("signers")) if isinstance(s, dict)]
    signers.sort(key=lambda s: (s.order is None, s.order or 0))
    created = to_utc(entry.get("created_at"))
    status = STATUSES.normalize(raw_status)
    done = completed_at(entry, signers) if status == DocumentStatus.COMPLETED else None
    ended_at, reason, ended_by = ending(entry, status)
    moments = [m for m in [created, done, ended_at, *(s.decided_at for s in signers)] if m]
    return DocumentRecord(
        external_id=str(entry["id"]),
        title=title_of(entry),
        status=status,
        provider_status=as_text(raw_status),
        sender_email=as_text(entry.get("sender_email")),
        signers=signers,
        files=file_records(entry, signed=status == DocumentStatus.COMPLETED),
        created_at=created,
        completed_at=done,
        expires_at=to_utc(entry.get("auto_expire_at")),
        last_activity_at=max(moments) if moments else None,
        ended_at=ended_at,
        end_reason=reason,
        ended_by=ended_by,
        folder=folder_of(entry),
        raw=scrub(entry),
    )
