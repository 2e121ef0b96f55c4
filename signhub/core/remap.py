"""Re-map stored documents from their raw payloads through each connector's own mapping.

The mapping decides every normalized fact; when it learns a new one (an end reason, a
completion that is only approximate), the rows already indexed get it from the raw JSON
they keep, without calling the provider: the backfill migration and
`manage.py remap_documents` both come here. The content hash is left as it was, so the
next sync rewrites the row from fresh data anyway.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from .connector import DocumentRecord
from .registry import registry

# The columns a record decides, in the order a backfill may know them.
REMAPPED = [
    "status",
    "completed_at",
    "completed_at_approximate",
    "ended_at",
    "end_reason",
    "ended_by",
    "document_hash",
    "folder",
    "listed_in",
    "last_activity_at",
    "signers",
    "files",
]


def record_values(record: DocumentRecord) -> dict:
    """The column values of the REMAPPED columns for one record."""
    values = {name: getattr(record, name) for name in REMAPPED if name not in ("signers", "files")}
    values["signers"] = [s.to_json() for s in record.signers]
    values["files"] = [f.to_json() for f in record.files]
    values["end_reason"] = record.end_reason or ""
    return values


def remap(model, queryset=None, *, fields=None, now: datetime, batch: int = 500) -> int:
    """Re-map every document of `queryset` (of `model`, a live or a migration's historical
    model) whose provider can rebuild it; `fields` limits the columns written. A document
    its provider now marks deleted is flagged removed. Returns how many rows changed."""
    fields = [f for f in (fields or REMAPPED) if f in REMAPPED]
    queryset = model.objects.all() if queryset is None else queryset
    ids = list(queryset.order_by("id").values_list("id", flat=True))
    changed = 0
    for start in range(0, len(ids), batch):
        # Read a batch, then write it: never update rows under an open cursor (SQLite).
        docs = list(
            model.objects.filter(id__in=ids[start : start + batch]).only(
                "id", "provider", "raw", "removed_at", *fields
            )
        )
        with transaction.atomic():
            for doc in docs:
                changed += _remap_one(model, doc, fields, now)
    return changed


def _remap_one(model, doc, fields: list[str], now: datetime) -> int:
    try:
        rebuild = registry.get(doc.provider).record_from_raw
    except KeyError:  # a provider no longer installed
        return 0
    record = rebuild(doc.raw)
    if record is None:
        return 0
    values = record_values(record)
    # An unknown list (a payload that does not say) never blanks a known one.
    update = {
        f: values[f]
        for f in fields
        if getattr(doc, f) != values[f] and (f != "listed_in" or values[f])
    }
    if record.deleted and doc.removed_at is None:
        update["removed_at"] = now
    if update:
        model.objects.filter(pk=doc.pk).update(**update)
    return bool(update)
