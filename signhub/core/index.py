"""Writing connector pages into the index: a constant number of statements per page.

Each page is deduplicated, compared with what is stored (by content hash), and written in
one transaction:

- new and changed documents: one set-based upsert (`signhub.core.dialects`: COPY → stage →
  `INSERT ... SELECT ... ON CONFLICT DO UPDATE ... RETURNING` on PostgreSQL, one prepared
  upsert on SQLite), their old party rows deleted and the new ones inserted in one go;
- unchanged documents: not rewritten at all — one `SyncSighting` row records their ids for
  the removal sweep (one statement per page instead of a row update per document).

Python does one canonical serialization per document (the JSON columns' text, used for the
hash and stored as is); provider text is made safe first (`signhub.core.sanitize`), and a
document whose data cannot be stored is skipped with a counted warning, never failing the
page.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import DataError, IntegrityError, connections, transaction

from .connector import DocumentRecord
from .dialects import index_pages
from .models import DocumentParty, ProviderAccount, SignedDocument, SyncSighting
from .sanitize import clean_record, clean_text
from .sort_keys import natural_key
from .status import DocumentStatus

logger = logging.getLogger("signhub.index")

# Column order of a document row (tuples, built once per document).
DOC_COLUMNS = [
    "account_id",
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
    "ended_at",
    "end_reason",
    "ended_by",
    "completed_at_approximate",
    "document_hash",
    "folder",
    "listed_in",
    "search_text",
    "title_sort",
    "content_hash",
    "first_seen_at",
    "last_seen_at",
    "removed_at",
]
_KEY = DOC_COLUMNS.index("external_id")
_FIRST_DATE = DOC_COLUMNS.index("created_at")  # the six provider dates follow it
_DATES = 6
# first_seen_at is set once, on insert.
_UPDATE_COLUMNS = [
    c for c in DOC_COLUMNS if c not in ("account_id", "external_id", "first_seen_at")
]
PARTY_COLUMNS = ["document_id", "role", "email", "name", "status", "decided_at"]
MAX_ID_LENGTH = SignedDocument._meta.get_field("external_id").max_length
_STATUSES = frozenset(DocumentStatus.values)
_SENDER, _SIGNER = DocumentParty.Role.SENDER.value, DocumentParty.Role.SIGNER.value
# What json.dumps writes for a character the index does not store as is: C0 controls other
# than tab and LF (\u00XX, \r, \b, \f). A literal backslash in the data can match too: that
# only sends the document through the cleaning path, which then changes nothing.
_SUSPECT = ("\\u00", "\\r", "\\b", "\\f")
# ANALYZE after this many rows written since the last one (then 10x more each time).
ANALYZE_AFTER = 10_000


def _iso(value):
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _encoder():
    """Canonical JSON: keys sorted (a payload read back from jsonb, which reorders keys,
    hashes the same), compact, non-ASCII kept, NaN refused (jsonb cannot hold it; such a
    value takes the cleaning path). The C encoder is called directly: `json.dumps` costs
    ~5 µs of Python per call before it starts, five times per document."""
    options = {"default": _iso, "ensure_ascii": False, "allow_nan": False}
    encoder = json.JSONEncoder(separators=(",", ":"), sort_keys=True, **options)
    c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
    if c_make_encoder is not None:
        try:
            chunks = c_make_encoder(
                None, _iso, json.encoder.encode_basestring, None, ":", ",", True, False, False
            )
            if "".join(chunks({"b": 1, "a": [1, "é"]}, 0)) == '{"a":[1,"é"],"b":1}':
                return lambda value: "".join(chunks(value, 0))
        except TypeError:  # another Python's signature: take the documented way
            pass
    return encoder.encode


_dumps = _encoder()


class _Dirty(Exception):
    """The record carries text the index does not store as is."""


@dataclass(slots=True)
class Prepared:
    """One document's stored form: hashed now; its row and party rows built only if it
    has to be written (most documents of a re-sync are unchanged), or ahead when its page
    is expected to be (`built`)."""

    record: DocumentRecord  # the cleaned copy when the provider's text needed it
    external_id: str
    digest: str
    scalars: list  # title, status, provider status, sender name, sender email
    labels: list[str]
    texts: list[str]  # signers, labels, files, raw: the JSON stored as is
    dates: list[datetime | None]  # the six provider dates
    isos: list[str | None]  # the same in ISO 8601 (made for the hash)
    facts: list  # end reason, ended by, approximate flag, hash, folder, list
    # Built ahead (`IndexWriter.prepare_page`) when the page is expected to be written.
    built: tuple[list, list[tuple]] | None = None

    def rows(self, account: ProviderAccount) -> tuple[list, list[tuple]]:
        """A fresh copy of `row()` and `parties()`, from those built ahead if any."""
        if self.built is None:
            return self.row(account), self.parties()
        row, parties = self.built
        return list(row), parties

    def row(self, account: ProviderAccount) -> list:
        """The document's columns up to content_hash (DOC_COLUMNS order)."""
        title, _, _, sender_name, sender_email = self.scalars
        words = [title, self.external_id, sender_name, sender_email]
        for s in self.record.signers:
            words += (s.name, s.email)
        words += self.labels
        search = " ".join(w for w in words if w).lower()
        return [
            account.pk,
            account.provider,
            self.external_id,
            *self.scalars,
            *self.texts,
            *self.dates,
            *self.facts,
            search,
            natural_key(title),
            self.digest,
        ]

    def parties(self) -> list[tuple]:
        """(role, email, name, status, decided_at) of the sender and each signer, once per
        email."""
        _, _, _, sender_name, sender_email = self.scalars
        parties = []
        if sender_email:
            parties.append((_SENDER, sender_email.lower(), sender_name, "", None))
        seen = set()
        for s in self.record.signers:
            email = (s.email or "").lower()[:255]
            if email and email not in seen:
                seen.add(email)
                parties.append(
                    (_SIGNER, email, (s.name or "")[:255], (s.status or "")[:64], s.decided_at)
                )
        return parties


def prepare(record: DocumentRecord, external_id: str) -> Prepared:
    """The stored form of a record: serialized once, hashed, cleaned only when needed."""
    try:
        return _prepare(record, external_id)
    except _Dirty:
        return _prepare(clean_record(record), external_id, cleaned=True)


def _prepare(record: DocumentRecord, external_id: str, cleaned: bool = False) -> Prepared:
    labels = [label for label in map(str, record.labels) if label.strip()]
    status = record.status if record.status in _STATUSES else DocumentStatus.UNKNOWN.value
    scalars = [
        record.title or "",
        status,
        (record.provider_status or "")[:64],
        (record.sender_name or "")[:255],
        (record.sender_email or "")[:255],
    ]
    dates = [
        record.created_at,
        record.sent_at,
        record.completed_at,
        record.expires_at,
        record.last_activity_at,
        record.ended_at,
    ]
    facts = [
        record.end_reason or "",
        (record.ended_by or "")[:255],
        bool(record.completed_at_approximate),
        (record.document_hash or "")[:255],
        (record.folder or "")[:500],
        (record.listed_in or "")[:64],
    ]
    isos = [None if d is None else d.isoformat() for d in dates]
    try:
        texts = [
            _dumps([s.to_json() for s in record.signers]),
            _dumps(labels),
            _dumps([f.to_json() for f in record.files]),
            _dumps(record.raw),
        ]
        payload = "\n".join([*texts, _dumps([*scalars, *isos, *facts, bool(record.deleted)])])
    except ValueError:  # NaN or infinity somewhere
        raise _Dirty from None
    # JSON text has no raw newline: the join is unambiguous.
    if not cleaned and "\\" in payload and any(mark in payload for mark in _SUSPECT):
        raise _Dirty
    try:
        digest = hashlib.sha256(payload.encode()).hexdigest()
    except UnicodeEncodeError:  # a lone surrogate
        raise _Dirty from None
    return Prepared(record, external_id, digest, scalars, labels, texts, dates, isos, facts)


@dataclass
class PageStats:
    fetched: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)

    def skip(self, external_id: str, reason: str) -> None:
        self.skipped += 1
        shown = external_id if len(external_id) <= 80 else external_id[:77] + "..."
        self.warnings.append(f"Skipped document {shown!r}: {reason}")


@dataclass(slots=True)
class PreparedPage:
    """One page ready to write: its documents by external id, and what was skipped."""

    documents: dict[str, Prepared]
    stats: PageStats


def _to_sqlite(value: datetime | None) -> str | None:
    """What Django's SQLite adapter stores for an aware datetime (naive UTC text)."""
    if value is None:
        return None
    if value.tzinfo is UTC:  # what to_utc gives: one C call
        return value.isoformat(" ")[:-6]
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return str(value)


def _iso_to_sqlite(iso: str | None, value: datetime | None) -> str | None:
    """`_to_sqlite` from the ISO text already made for the hash, when it is UTC."""
    if iso is None:
        return None
    if iso.endswith("+00:00"):
        return f"{iso[:10]} {iso[11:-6]}"
    return _to_sqlite(value)


class IndexWriter:
    """Writes pages of one account's documents; sweeps what a full listing did not return."""

    def __init__(self, account: ProviderAccount, seen_at: datetime) -> None:
        self.account = account
        self.seen_at = seen_at
        self.written = 0  # rows inserted or changed by this writer
        # `listed_in` values the sweep leaves alone (lists the provider denied this time).
        self.spared_lists: set[str] = set()
        self._next_analyze = ANALYZE_AFTER
        self._analyzed_at = 0  # self.written at the last ANALYZE
        self._rows_ahead = False

    @property
    def connection(self):
        return connections["default"]  # the real wrapper of this thread, not the proxy

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

    # -- pages ------------------------------------------------------------------------

    def write(self, records: Iterable[DocumentRecord]) -> PageStats:
        """Prepare and write one page of records."""
        return self.write_prepared(self.prepare_page(records))

    def prepare_page(self, records: Iterable[DocumentRecord]) -> PreparedPage:
        """A page's stored forms, hashed: Python only, no database, so a sync runs it in the
        fetching thread while the previous page is written (signhub.core.sync)."""
        # Rows too, when the last page written was mostly new or changed (a first sync):
        # then the writing thread only compares and sends. A hint, read across threads.
        ahead = self._rows_ahead
        by_id: dict[str, DocumentRecord] = {}
        for record in records:
            by_id[str(record.external_id)] = record  # the last copy in a page wins
        stats = PageStats(fetched=len(by_id))
        page: dict[str, Prepared] = {}
        for ext, record in by_id.items():
            if not ext.isprintable():  # controls or a lone surrogate in the id itself
                ext = clean_text(ext)
            if not ext or len(ext) > MAX_ID_LENGTH:
                stats.skip(ext, f"its id is empty or longer than {MAX_ID_LENGTH} characters.")
                continue
            try:
                prepared = page[ext] = prepare(record, ext)
                if ahead:
                    prepared.built = prepared.row(self.account), prepared.parties()
            except Exception as exc:  # a connector bug must not cost the whole page
                logger.warning("Document %r of %s not indexed: %r", ext, self.account, exc)
                stats.skip(ext, "its data could not be read (details in the server log).")
        return PreparedPage(page, stats)

    def write_prepared(self, prepared: PreparedPage) -> PageStats:
        """Write a page `prepare_page` made, in one transaction."""
        page, stats = prepared.documents, prepared.stats
        if not page:
            return stats
        try:
            created, updated = self._write_page(page)
        except (DataError, IntegrityError) as exc:
            if len(page) > 1:
                # Find the row the database refused: the others still go in, one at a time.
                created, updated = self._write_one_by_one(page, stats)
            else:
                created = updated = 0
                self._refused(next(iter(page)), exc, stats)
        stats.created, stats.updated = created, updated
        self._rows_ahead = created + updated > len(page) // 2
        self._maybe_analyze(created + updated)
        return stats

    def _write_one_by_one(self, page: dict[str, Prepared], stats: PageStats) -> tuple[int, int]:
        created = updated = 0
        for ext, prepared in page.items():
            try:
                c, u = self._write_page({ext: prepared})
            except (DataError, IntegrityError) as exc:
                self._refused(ext, exc, stats)
            else:
                created, updated = created + c, updated + u
        return created, updated

    def _refused(self, ext: str, exc: Exception, stats: PageStats) -> None:
        logger.warning("Document %r of %s refused by the database: %s", ext, self.account, exc)
        stats.skip(ext, "the database refused its data (details in the server log).")

    def _write_page(self, page: dict[str, Prepared]) -> tuple[int, int]:
        pages = index_pages(self.connection)
        sqlite = self.connection.vendor == "sqlite"
        seen_at = self.seen_at
        seen_at_db = _to_sqlite(seen_at) if sqlite else seen_at
        with transaction.atomic():
            existing = {
                ext: (pk, digest, removed)
                for ext, pk, digest, removed in pages.existing(
                    SignedDocument._meta.db_table, self.account.pk, list(page), DOC_COLUMNS
                )
            }
            rows, changed_ids, unchanged_ids, restored_ids = [], [], [], []
            parties_of: dict[str, list[tuple]] = {}
            for ext, prepared in page.items():
                known = existing.get(ext)
                deleted = prepared.record.deleted  # the provider says so: removed
                if known and known[1] == prepared.digest:
                    back = known[2] and not deleted
                    (restored_ids if back else unchanged_ids).append(known[0])
                    continue
                if known:
                    changed_ids.append(known[0])
                row, parties_of[ext] = prepared.rows(self.account)
                # first_seen_at, last_seen_at, removed_at
                row += (seen_at, seen_at, seen_at if deleted else None)
                if sqlite:
                    row[_FIRST_DATE : _FIRST_DATE + _DATES] = [
                        _iso_to_sqlite(iso, dt)
                        for iso, dt in zip(
                            prepared.isos, row[_FIRST_DATE : _FIRST_DATE + _DATES], strict=True
                        )
                    ]
                    row[-3] = row[-2] = seen_at_db
                    if deleted:
                        row[-1] = seen_at_db
                rows.append(row)

            if restored_ids:
                SignedDocument.objects.filter(pk__in=restored_ids).update(
                    removed_at=None, last_seen_at=seen_at
                )
            if unchanged_ids:
                SyncSighting.objects.create(
                    account=self.account, seen_at=seen_at, document_ids=unchanged_ids
                )
            if rows:
                ids = pages.upsert_documents(
                    SignedDocument._meta.db_table,
                    DOC_COLUMNS,
                    ["account_id", "external_id"],
                    _UPDATE_COLUMNS,
                    rows,
                    _KEY,
                    self.account.pk,
                )
                if changed_ids:
                    DocumentParty.objects.filter(document_id__in=changed_ids).delete()
                parties = []
                for ext in (row[_KEY] for row in rows):
                    doc_id = ids[ext]
                    for party in parties_of[ext]:
                        if sqlite and party[4] is not None:
                            party = (*party[:4], _to_sqlite(party[4]))
                        parties.append((doc_id, *party))
                if parties:
                    pages.insert_rows(DocumentParty._meta.db_table, PARTY_COLUMNS, parties)
        return len(rows) - len(changed_ids), len(changed_ids)

    def _maybe_analyze(self, written: int) -> None:
        """PostgreSQL plans the next pages' lookups from statistics: refresh them while a
        large first sync grows the table (after 10k, 100k, 1M... rows) and at its end."""
        self.written += written
        if self.written >= self._next_analyze:
            self._next_analyze *= 10
            self.analyze()

    def analyze(self) -> None:
        index_pages(self.connection).analyze(SignedDocument._meta.db_table)
        self._analyzed_at = self.written

    def finish(self) -> None:
        """After the last page: fresh statistics when this sync wrote many rows since."""
        if self.written - self._analyzed_at >= ANALYZE_AFTER // 10:
            self.analyze()

    # -- removals ---------------------------------------------------------------------

    def _unseen(self, seen_at: datetime) -> tuple[str, list]:
        """WHERE clause (and params) of present documents a listing started at `seen_at`
        did not return: not written by it and not in its sightings."""
        pages = index_pages(self.connection)
        table = SignedDocument._meta.db_table
        sightings = SyncSighting._meta.db_table
        seen = _to_sqlite(seen_at) if self.connection.vendor == "sqlite" else seen_at
        where = (
            f"{table}.account_id = %s AND {table}.removed_at IS NULL "
            f"AND {table}.last_seen_at < %s AND {pages.unseen_predicate(table, sightings)}"
        )
        params = [self.account.pk, seen, self.account.pk, seen]
        if self.spared_lists:
            spared = sorted(self.spared_lists)
            where += f" AND {table}.listed_in NOT IN ({', '.join(['%s'] * len(spared))})"
            params += spared
        return where, params

    def present_count(self) -> int:
        return SignedDocument.objects.filter(account=self.account, removed_at__isnull=True).count()

    def unseen_count(self, seen_at: datetime | None = None) -> int:
        where, params = self._unseen(seen_at or self.seen_at)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM {SignedDocument._meta.db_table} WHERE {where}", params
            )
            return cursor.fetchone()[0]

    def sweep_removed(self, now: datetime, seen_at: datetime | None = None) -> int:
        """Flag the documents a complete listing did not return. Never delete."""
        where, params = self._unseen(seen_at or self.seen_at)
        now_db = _to_sqlite(now) if self.connection.vendor == "sqlite" else now
        with transaction.atomic(), self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {SignedDocument._meta.db_table} SET removed_at = %s WHERE {where}",
                [now_db, *params],
            )
            return cursor.rowcount

    def discard_sightings(self, keep: datetime | None = None) -> None:
        """Drop this account's sightings, except those of a withheld listing (`keep`)."""
        stale = SyncSighting.objects.filter(account=self.account)
        if keep is not None:
            stale = stale.exclude(seen_at=keep)
        stale.delete()
