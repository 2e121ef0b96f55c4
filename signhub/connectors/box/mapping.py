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
    """`finished_at`; else the last signer decision, once the signing is over.

    "Over" mirrors Box's definition of finished_at (all signing actions completed): every
    signer/approver decided, or someone declined. An in-progress request with one of two
    signatures gets no completion time.
    """
    finished = to_utc(entry.get("finished_at"))
    if finished:
        return finished
    decided = [s.decided_at for s in signers if s.decided_at]
    if not decided:
        return None
    acting = [s for s in signers if s.role in _ACTING_ROLES] or signers
    all_done = all(s.decided_at for s in acting)
    declined = any(s.status == "declined" for s in signers)
    return max(decided) if all_done or declined else None


def file_records(entry: dict[str, Any]) -> list[FileRecord]:
    """Signed PDFs and the signing log, as Box file ids (download URLs are never stored)."""
    files: list[FileRecord] = []
    seen: set[str] = set()
    for f in signed_files(entry):
        key = f"signed-{f['id']}"
        if key not in seen:
            seen.add(key)
            name = as_text(f.get("name")) or f"{f['id']}.pdf"
            files.append(FileRecord(key, name, "signed", {"file_id": str(f["id"])}))
    log = as_dict(entry.get("signing_log"))
    if log.get("id") not in (None, ""):
        name = as_text(log.get("name")) or "Signing log.pdf"
        files.append(FileRecord(f"audit-{log['id']}", name, "audit", {"file_id": str(log["id"])}))
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
    done = completed_at(entry, signers)
    moments = [m for m in [created, done, *(s.decided_at for s in signers)] if m]
    return DocumentRecord(
        external_id=str(entry["id"]),
        title=title_of(entry),
        status=STATUSES.normalize(raw_status),
        provider_status=as_text(raw_status),
        sender_email=as_text(entry.get("sender_email")),
        signers=signers,
        files=file_records(entry),
        created_at=created,
        completed_at=done,
        expires_at=to_utc(entry.get("auto_expire_at")),
        last_activity_at=max(moments) if moments else None,
        raw=scrub(entry),
    )
