"""Writing connector pages into the index: a few statements per page, whatever its size.

Each page is deduplicated, compared with what is stored (by content hash), and written with
one multi-row upsert (`INSERT ... ON CONFLICT DO UPDATE`, run through `executemany`) plus one
statement for unchanged rows and one pair for the party rows. The SQL is the same on SQLite
and PostgreSQL; values go through each field's own `get_db_prep_save`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction

from .connector import DocumentRecord
from .models import DocumentParty, ProviderAccount, SignedDocument

_DOC_FIELDS = [
    "account",
    "provider",
    "external_id",
    "title",
    "status",
    "provider_status",
    "sender_name",
    "sender_email",
    "signers",
    "labels",
    "files",
    "raw",
    "created_at",
    "sent_at",
    "completed_at",
    "expires_at",
    "last_activity_at",
    "search_text",
    "content_hash",
    "first_seen_at",
    "last_seen_at",
    "removed_at",
]
# first_seen_at is set once, on insert.
_DOC_UPDATE_FIELDS = [
    f for f in _DOC_FIELDS if f not in ("account", "external_id", "first_seen_at")
]
_PARTY_FIELDS = ["document", "role", "email", "name", "status", "decided_at"]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def record_values(record: DocumentRecord) -> dict:
    """The stored, JSON-ready form of a record (minus bookkeeping fields)."""
    signers = [s.to_json() for s in record.signers]
    labels = [str(label) for label in record.labels if str(label).strip()]
    return {
        "title": record.title or "",
        "status": record.status,
        "provider_status": (record.provider_status or "")[:64],
        "sender_name": (record.sender_name or "")[:255],
        "sender_email": (record.sender_email or "")[:255],
        "signers": signers,
        "labels": labels,
        "files": [f.to_json() for f in record.files],
        "raw": record.raw,
        "created_at": record.created_at,
        "sent_at": record.sent_at,
        "completed_at": record.completed_at,
        "expires_at": record.expires_at,
        "last_activity_at": record.last_activity_at,
    }


_JSON_FIELDS = ("signers", "labels", "files", "raw")


class JsonText(str):
    """A JSON column's value already serialized (SQLite stores it as is)."""


def _dumps(value) -> str:
    return json.dumps(value, sort_keys=True, default=_iso, ensure_ascii=False)


def content_hash(values: dict) -> tuple[str, dict[str, str]]:
    """Hash of the stored form, and the JSON columns' text made for it (SQLite stores that
    same text, so each payload is serialized once)."""
    texts = {key: _dumps(values[key]) for key in _JSON_FIELDS}
    scalars = {k: v for k, v in values.items() if k not in _JSON_FIELDS}
    payload = "\x00".join([*texts.values(), _dumps(scalars)])
    return hashlib.sha256(payload.encode()).hexdigest(), texts


def search_text(record: DocumentRecord) -> str:
    parts = [record.title, record.external_id, record.sender_name, record.sender_email]
    for signer in record.signers:
        parts += [signer.name, signer.email]
    parts += record.labels
    return " ".join(p for p in parts if p).lower()


def _datetime_converter(conn):
    """Fast path for aware datetimes: what Django's own adapters produce, without the
    per-value settings lookups (the hottest part of ingest on SQLite)."""
    if conn.vendor == "postgresql":
        return lambda value, _conn: value  # psycopg adapts aware datetimes natively
    if conn.vendor == "sqlite" and str(conn.timezone) == "UTC":

        def to_sqlite(value, _conn):
            if value is None:
                return None
            return str(value.astimezone(UTC).replace(tzinfo=None))

        return to_sqlite
    return None


def _json_converter(conn, field):
    """SQLite stores JSON as text: take the text made for the hash as is."""
    if conn.vendor == "sqlite":
        return lambda value, c: (
            value if isinstance(value, JsonText) else field.get_db_prep_save(value, c)
        )
    return field.get_db_prep_save


def _preparer(model, field_names: Sequence[str]):
    """Per-row converter to database values, with field lookups done once per page."""
    conn = connections[DEFAULT_DB_ALIAS]  # the real wrapper, not the per-call proxy
    # Text and key columns need no conversion (values are already str/int or None);
    # dates and JSON go through the field so each backend gets its own adaptation.
    plain = (models.CharField, models.TextField, models.ForeignKey, models.IntegerField)
    preps = []
    for name in field_names:
        field = model._meta.get_field(name)
        if isinstance(field, plain):
            preps.append((name, None))
        elif isinstance(field, models.JSONField):
            preps.append((name, _json_converter(conn, field)))
        elif isinstance(field, models.DateTimeField):
            preps.append((name, _datetime_converter(conn) or field.get_db_prep_save))
        else:
            preps.append((name, field.get_db_prep_save))

    def prep(row: dict) -> list:
        return [
            row[name] if convert is None else convert(row[name], conn) for name, convert in preps
        ]

    return prep


def _upsert_sql(
    model, fields: Sequence[str], conflict: Sequence[str], update: Sequence[str]
) -> str:
    qn = connection.ops.quote_name
    columns = [model._meta.get_field(f).column for f in fields]
    placeholders = ", ".join(["%s"] * len(columns))
    sets = ", ".join(
        f"{qn(model._meta.get_field(f).column)} = EXCLUDED.{qn(model._meta.get_field(f).column)}"
        for f in update
    )
    conflict_cols = ", ".join(qn(model._meta.get_field(f).column) for f in conflict)
    return (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
        f"VALUES ({placeholders}) ON CONFLICT ({conflict_cols}) DO UPDATE SET {sets}"
    )


def _insert_sql(model, fields: Sequence[str]) -> str:
    qn = connection.ops.quote_name
    columns = [model._meta.get_field(f).column for f in fields]
    return (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )


@dataclass
class PageStats:
    fetched: int = 0
    created: int = 0
    updated: int = 0


class IndexWriter:
    """Upserts pages of one account's documents; marks what a full sync did not see."""

    def __init__(self, account: ProviderAccount, seen_at: datetime) -> None:
        self.account = account
        self.seen_at = seen_at

    def known_ids(self, external_ids: Iterable[str]) -> set[str]:
        ids = list(external_ids)
        return set(
            SignedDocument.objects.filter(account=self.account, external_id__in=ids).values_list(
                "external_id", flat=True
            )
        )

    def stored_raw(self, external_ids: Iterable[str]) -> dict[str, Any]:
        """The raw payload stored for each of these external ids that is indexed."""
        ids = list(external_ids)
        return dict(
            SignedDocument.objects.filter(account=self.account, external_id__in=ids).values_list(
                "external_id", "raw"
            )
        )

    def write(self, records: Iterable[DocumentRecord]) -> PageStats:
        by_id: dict[str, DocumentRecord] = {}
        for record in records:
            by_id[str(record.external_id)] = record  # the last copy in a page wins
        stats = PageStats(fetched=len(by_id))
        if not by_id:
            return stats

        with transaction.atomic():
            existing = {
                ext: (pk, digest)
                for ext, pk, digest in SignedDocument.objects.filter(
                    account=self.account, external_id__in=list(by_id)
                ).values_list("external_id", "id", "content_hash")
            }
            rows, unchanged_ids, changed_existing_ids = [], [], []
            for ext, record in by_id.items():
                values = record_values(record)
                digest, texts = content_hash(values)
                known = existing.get(ext)
                if known and known[1] == digest:
                    unchanged_ids.append(known[0])
                    continue
                if known:
                    changed_existing_ids.append(known[0])
                    stats.updated += 1
                else:
                    stats.created += 1
                values.update(
                    account=self.account.pk,
                    provider=self.account.provider,
                    external_id=ext,
                    search_text=search_text(record),
                    content_hash=digest,
                    first_seen_at=self.seen_at,
                    last_seen_at=self.seen_at,
                    removed_at=None,
                    parsed_signers=values["signers"],  # for the party rows
                )
                if connection.vendor == "sqlite":
                    values.update({key: JsonText(text) for key, text in texts.items()})
                rows.append(values)

            if unchanged_ids:
                SignedDocument.objects.filter(pk__in=unchanged_ids).update(
                    last_seen_at=self.seen_at, removed_at=None
                )
            if rows:
                self._upsert_documents(rows)
                self._replace_parties(rows, existing, changed_existing_ids)
        return stats

    def _upsert_documents(self, rows: list[dict]) -> None:
        sql = _upsert_sql(
            SignedDocument, _DOC_FIELDS, ["account", "external_id"], _DOC_UPDATE_FIELDS
        )
        prep = _preparer(SignedDocument, _DOC_FIELDS)
        params = [prep(row) for row in rows]
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)

    def _replace_parties(self, rows: list[dict], existing: dict, changed_ids: list[int]) -> None:
        if changed_ids:
            DocumentParty.objects.filter(document_id__in=changed_ids).delete()
        new_ext = [row["external_id"] for row in rows if row["external_id"] not in existing]
        ids = {ext: pk for ext, (pk, _) in existing.items()}
        if new_ext:
            ids.update(
                SignedDocument.objects.filter(
                    account=self.account, external_id__in=new_ext
                ).values_list("external_id", "id")
            )
        parties = []
        for row in rows:
            doc_id = ids[row["external_id"]]
            if row["sender_email"]:
                parties.append(
                    {
                        "document": doc_id,
                        "role": DocumentParty.Role.SENDER,
                        "email": row["sender_email"].lower(),
                        "name": row["sender_name"],
                        "status": "",
                        "decided_at": None,
                    }
                )
            seen = set()
            for signer in row["parsed_signers"]:
                email = (signer.get("email") or "").lower()
                if not email or email in seen:
                    continue
                seen.add(email)
                decided = signer.get("decided_at")
                parties.append(
                    {
                        "document": doc_id,
                        "role": DocumentParty.Role.SIGNER,
                        "email": email[:255],
                        "name": (signer.get("name") or "")[:255],
                        "status": (signer.get("status") or "")[:64],
                        "decided_at": datetime.fromisoformat(decided) if decided else None,
                    }
                )
        if parties:
            prep = _preparer(DocumentParty, _PARTY_FIELDS)
            with connection.cursor() as cursor:
                cursor.executemany(
                    _insert_sql(DocumentParty, _PARTY_FIELDS), [prep(p) for p in parties]
                )

    def sweep_removed(self, now: datetime) -> int:
        """After a complete full listing: flag documents it did not return. Never delete."""
        return SignedDocument.objects.filter(
            account=self.account, removed_at__isnull=True, last_seen_at__lt=self.seen_at
        ).update(removed_at=now)
