"""One Acme Sign envelope (raw JSON) → a DocumentRecord.

Parse the raw JSON defensively (any key may be missing, null or of another type: the
`signhub.core.parsing` readers), keep titles exactly as sent (escaping is the templates'
job), timestamps as aware UTC (`to_utc`), and file handles as ids, never URLs.
"""

from __future__ import annotations

import logging
from typing import Any

from signhub.core.connector import DocumentRecord, FileRecord, SignerRecord
from signhub.core.dates import to_utc
from signhub.core.parsing import as_dict, as_int, as_text, dicts, split_list

from .statuses import STATUSES

logger = logging.getLogger(__name__.rpartition(".")[0])


def signer_record(raw: dict[str, Any]) -> SignerRecord:
    return SignerRecord(
        email=as_text(raw.get("email")).strip(),
        name=as_text(raw.get("name")),
        role=as_text(raw.get("role")) or "signer",
        status=as_text(raw.get("state")),
        order=as_int(raw.get("order")),
        decided_at=to_utc(raw.get("signed_at") or raw.get("declined_at")),
    )


def to_record(envelope: dict[str, Any]) -> DocumentRecord | None:
    """Map one envelope; None (logged) when it has no id to key it on."""
    envelope_id = as_text(envelope.get("id")).strip()
    if not envelope_id:
        logger.warning("Skipped an envelope without an id")
        return None
    state = envelope.get("state")
    sender = as_dict(envelope.get("sender"))
    signers = sorted(
        (signer_record(r) for r in dicts(envelope.get("recipients"))),
        key=lambda s: (s.order is None, s.order or 0),
    )
    files = [
        FileRecord(
            key=f"doc-{doc['id']}",
            name=as_text(doc.get("filename")) or f"{doc['id']}.pdf",
            kind="signed" if state == "completed" else "original",
            handle={"envelope_id": envelope_id, "document_id": as_text(doc["id"])},
        )
        for doc in dicts(envelope.get("documents"))
        if doc.get("id") not in (None, "")
    ]
    created = to_utc(envelope.get("created_at"))
    completed = to_utc(envelope.get("completed_at"))
    moments = [m for m in (created, completed, *(s.decided_at for s in signers)) if m]
    return DocumentRecord(
        external_id=envelope_id,
        title=as_text(envelope.get("name")),
        status=STATUSES.normalize(state),
        provider_status=as_text(state),
        sender_name=as_text(sender.get("name")),
        sender_email=as_text(sender.get("email")),
        signers=signers,
        labels=split_list(envelope.get("tags")),
        files=files,
        created_at=created,
        sent_at=to_utc(envelope.get("sent_at")),
        completed_at=completed,
        expires_at=to_utc(envelope.get("expires_at")),
        last_activity_at=max(moments) if moments else None,
        raw=envelope,
    )
