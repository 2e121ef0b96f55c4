"""Database-specific SQL, one place per database: what the ORM cannot say fast enough.

Everything else in signhub speaks the ORM; the functions here are chosen by
`connection.vendor` and keep the same meaning on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.sql.datastructures import BaseTable

# -- writes: index pages
#
# A page of documents is written in a constant number of statements, whatever its size:
# PostgreSQL copies the page into a temporary stage table and upserts it in one
# `INSERT ... SELECT ... ON CONFLICT DO UPDATE ... RETURNING` (the ids the party rows need
# come back with it), then copies the party rows; SQLite, in process, runs one prepared
# upsert over the page (`executemany`) and one insert of the parties.

STAGE_TABLE = "signhub_doc_stage"


def _columns(qn, columns: Sequence[str]) -> str:
    return ", ".join(qn(c) for c in columns)


class SqlitePages:
    """SQLite: prepared statements run per row in C (`executemany`), no round trips."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection

    def existing(
        self, table: str, account_id: int, keys: Sequence[str], stage_columns: Sequence[str] = ()
    ) -> list[tuple]:
        """(external id, id, content hash, removed_at) of the stored ones among `keys`."""
        qn = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT external_id, id, content_hash, removed_at FROM {qn(table)} "
                f"WHERE account_id = %s AND external_id IN ({', '.join(['%s'] * len(keys))})",
                [account_id, *keys],
            )
            return cursor.fetchall()

    def upsert_documents(
        self,
        table: str,
        columns: Sequence[str],
        conflict: Sequence[str],
        update: Sequence[str],
        rows: list[tuple],
        key_index: int,
        account_id: int,
    ) -> dict[str, int]:
        """Insert or update `rows`; return {external id: document id} for each of them."""
        qn = self.connection.ops.quote_name
        sets = ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in update)
        sql = (
            f"INSERT INTO {qn(table)} ({_columns(qn, columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))}) "
            f"ON CONFLICT ({_columns(qn, conflict)}) DO UPDATE SET {sets}"
        )
        keys = [row[key_index] for row in rows]
        with self.connection.cursor() as cursor:
            cursor.executemany(sql, rows)
            cursor.execute(
                f"SELECT external_id, id FROM {qn(table)} WHERE account_id = %s "
                f"AND external_id IN ({', '.join(['%s'] * len(keys))})",
                [account_id, *keys],
            )
            return dict(cursor.fetchall())

    def insert_rows(self, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        qn = self.connection.ops.quote_name
        sql = (
            f"INSERT INTO {qn(table)} ({_columns(qn, columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        with self.connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    def sighted_ids_sql(self, sighting_table: str) -> str:
        """Ids recorded in the sightings of one (account, seen_at): a subquery."""
        return (
            f"SELECT value FROM {sighting_table}, json_each({sighting_table}.document_ids) "
            f"WHERE {sighting_table}.account_id = %s AND {sighting_table}.seen_at = %s"
        )

    def unseen_predicate(self, table: str, sighting_table: str) -> str:
        # A non-correlated IN: SQLite builds a temporary index of the ids once.
        return f"{table}.id NOT IN ({self.sighted_ids_sql(sighting_table)})"

    def analyze(self, table: str) -> None:
        """SQLite plans these queries from the indexes alone; nothing to refresh."""


class PostgresPages(SqlitePages):
    """PostgreSQL: COPY into a session-local stage, one set-based upsert, COPY the parties."""

    def existing(self, table, account_id, keys, stage_columns=()):
        """Also makes sure the stage of `upsert_documents` exists (given its columns), in
        the same round trip: Django's cursors bind parameters client-side, so the two
        statements go as one simple query."""
        qn = self.connection.ops.quote_name
        # Once per session (a no-op afterwards, yet asked in every page's transaction: a
        # rolled-back one takes the table with it); emptied at every commit, and by the
        # DELETE of `upsert_documents` within a transaction that writes several pages.
        stage = (
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE_TABLE} ON COMMIT DELETE ROWS "
            f"AS SELECT {_columns(qn, stage_columns)} FROM {qn(table)} WITH NO DATA; "
            if stage_columns
            else ""
        )
        # One array parameter, not a thousand placeholders for the client to splice in.
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"{stage}SELECT external_id, id, content_hash, removed_at FROM {qn(table)} "
                "WHERE account_id = %s AND external_id = ANY(%s)",
                [account_id, list(keys)],
            )
            if stage:
                cursor.nextset()
            return cursor.fetchall()

    def upsert_documents(self, table, columns, conflict, update, rows, key_index, account_id):
        """`existing(..., stage_columns=columns)` ran first in this transaction."""
        qn = self.connection.ops.quote_name
        cols = _columns(qn, columns)
        sets = ", ".join(f"{qn(c)} = EXCLUDED.{qn(c)}" for c in update)
        with self.connection.cursor() as cursor:
            self.copy_rows(cursor, STAGE_TABLE, columns, rows)
            cursor.execute(
                f"WITH page AS (DELETE FROM {STAGE_TABLE} RETURNING {cols}) "
                f"INSERT INTO {qn(table)} ({cols}) SELECT {cols} FROM page "
                f"ON CONFLICT ({_columns(qn, conflict)}) DO UPDATE SET {sets} "
                f"RETURNING external_id, id"
            )
            return dict(cursor.fetchall())

    def insert_rows(self, table, columns, rows):
        with self.connection.cursor() as cursor:
            self.copy_rows(cursor, table, columns, rows)

    def copy_rows(self, cursor, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        qn = self.connection.ops.quote_name
        # COPY errors come from psycopg directly: give them Django's exception classes.
        statement = f"COPY {qn(table)} ({_columns(qn, columns)}) FROM STDIN"
        with self.connection.wrap_database_errors, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def sighted_ids_sql(self, sighting_table: str) -> str:
        return (
            f"SELECT (ids.value)::bigint FROM {sighting_table}, "
            f"jsonb_array_elements({sighting_table}.document_ids) AS ids "
            f"WHERE {sighting_table}.account_id = %s AND {sighting_table}.seen_at = %s"
        )

    def unseen_predicate(self, table: str, sighting_table: str) -> str:
        # NOT EXISTS, not NOT IN: PostgreSQL turns it into a hash anti-join whatever the
        # number of ids (a NOT IN over a million ids would not fit work_mem).
        return (
            f"NOT EXISTS (SELECT 1 FROM {sighting_table}, "
            f"jsonb_array_elements({sighting_table}.document_ids) AS ids "
            f"WHERE {sighting_table}.account_id = %s AND {sighting_table}.seen_at = %s "
            f"AND (ids.value)::bigint = {table}.id)"
        )

    def analyze(self, table: str) -> None:
        """Fresh statistics after a large write, so the next page's lookups use the index."""
        with self.connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {self.connection.ops.quote_name(table)}")


def compare_as_bytes(
    connection: BaseDatabaseWrapper, table: str, column: str, max_length: int
) -> None:
    """Make a varchar column compare as bytes on PostgreSQL (COLLATE "C"), as SQLite's
    BINARY does: sort keys made for code-point order (signhub.core.sort_keys) then sort
    the same on both, whatever the database's own collation does with case, accents and
    punctuation."""
    if connection.vendor != "postgresql":
        return
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE {qn(table)} ALTER COLUMN {qn(column)} TYPE varchar({int(max_length)}) "
            'COLLATE "C"'
        )


def index_pages(connection: BaseDatabaseWrapper) -> SqlitePages:
    """The page writer for this connection's database."""
    return (
        PostgresPages(connection) if connection.vendor == "postgresql" else SqlitePages(connection)
    )


# -- writes: the SQLite free-text index
#
# SQLite has no trigram index, so `search_text LIKE '%term%'` reads every row (0.4–0.9 s on
# 300,000 documents for a rare term). An FTS5 table with the trigram tokenizer, kept in
# step by triggers and stored as an external-content index (the text stays in the document
# table only), answers the same substring question from an index. Documents that a sync
# finds unchanged are not rewritten, so only new and changed ones pay for it. Installed
# after every `migrate` (a migration that rebuilds the document table on SQLite drops its
# triggers: they come back, and the index is rebuilt), removed when
# SIGNHUB_SQLITE_TEXT_INDEX is false.

TEXT_INDEX = "core_signeddocument_fts"
_TEXT_TRIGGERS = {
    f"{TEXT_INDEX}_insert": (
        "AFTER INSERT ON core_signeddocument BEGIN "
        f"INSERT INTO {TEXT_INDEX}(rowid, search_text) VALUES (new.id, new.search_text); END"
    ),
    f"{TEXT_INDEX}_delete": (
        "AFTER DELETE ON core_signeddocument BEGIN "
        f"INSERT INTO {TEXT_INDEX}({TEXT_INDEX}, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); END"
    ),
    f"{TEXT_INDEX}_update": (
        "AFTER UPDATE OF search_text ON core_signeddocument "
        "WHEN old.search_text IS NOT new.search_text BEGIN "
        f"INSERT INTO {TEXT_INDEX}({TEXT_INDEX}, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); "
        f"INSERT INTO {TEXT_INDEX}(rowid, search_text) VALUES (new.id, new.search_text); END"
    ),
}


def ensure_text_index(connection: BaseDatabaseWrapper) -> bool:
    """Create (or drop, when disabled) the SQLite free-text index; True if it changed."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE name = %s OR (type = 'trigger' AND name LIKE %s)",
            [TEXT_INDEX, f"{TEXT_INDEX}%"],
        )
        present = {name for (name,) in cursor.fetchall()}
        if not settings.SIGNHUB_SQLITE_TEXT_INDEX:
            for name in sorted(present - {TEXT_INDEX}):
                cursor.execute(f"DROP TRIGGER {name}")
            if TEXT_INDEX in present:
                cursor.execute(f"DROP TABLE {TEXT_INDEX}")
            return bool(present)
        if present == {TEXT_INDEX, *_TEXT_TRIGGERS}:
            return False
        # case_sensitive: search_text and the terms are lower-cased by Python already, so
        # matching stays exactly the substring test of LIKE.
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {TEXT_INDEX} USING fts5(search_text, "
            "content='core_signeddocument', content_rowid='id', "
            "tokenize='trigram case_sensitive 1')"
        )
        for name, body in _TEXT_TRIGGERS.items():
            if name not in present:
                cursor.execute(f"CREATE TRIGGER {name} {body}")
        cursor.execute(f"INSERT INTO {TEXT_INDEX}({TEXT_INDEX}) VALUES ('rebuild')")
        return True


# -- reads: free text

# A term matching more documents than this is filtered by a scan instead: a common word
# finds a page of matches in the first rows it reads, while its ids would be many.
TEXT_ID_LIMIT = 1_000
MIN_INDEXED_TERM = 3  # the trigram index cannot look up shorter terms


def text_search(qs: QuerySet, terms: Sequence[str]) -> QuerySet:
    """Documents of `qs` whose search text contains every term (lower-cased words).

    PostgreSQL: `LIKE '%term%'` served by the pg_trgm index. SQLite: each term of 3+
    characters looked up in the FTS5 trigram index first (one query, at most
    TEXT_ID_LIMIT + 1 ids); rare terms become an id filter, common and short ones a scan.
    """
    connection = connections[qs.db]
    indexed = connection.vendor == "sqlite" and settings.SIGNHUB_SQLITE_TEXT_INDEX
    ids: set[int] | None = None
    for term in terms:
        if indexed and len(term) >= MIN_INDEXED_TERM:
            found = _indexed_ids(connection, term)
            if found is not None:
                ids = found if ids is None else ids & found
                continue
        qs = qs.filter(search_text__contains=term)
    if ids is None:
        return qs
    if not ids:  # no match: the same answer as an SQL condition (an empty IN cannot compile)
        return qs.filter(pk__in=RawSQL(f"SELECT rowid FROM {TEXT_INDEX} WHERE 0", []))
    return qs.filter(pk__in=sorted(ids))


def _indexed_ids(connection: BaseDatabaseWrapper, term: str) -> set[int] | None:
    """Ids whose search text contains `term`, or None when there are too many."""
    phrase = '"' + term.replace('"', '""') + '"'
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid FROM {TEXT_INDEX} WHERE {TEXT_INDEX} MATCH %s LIMIT %s",
            [phrase, TEXT_ID_LIMIT + 1],
        )
        ids = {rowid for (rowid,) in cursor.fetchall()}
    return ids if len(ids) <= TEXT_ID_LIMIT else None


# -- reads: labels


def has_label(qs: QuerySet, label: str, n: int) -> QuerySet:
    """Documents of `qs` carrying exactly `label` (labels is a JSON list of strings).

    PostgreSQL: JSON containment (served by the jsonb_path_ops GIN index). SQLite has no
    containment operator: the array is searched with json_each. `n` numbers the labels of
    one query (each needs its own alias).
    """
    connection = connections[qs.db]
    if connection.features.supports_json_field_contains:
        return qs.filter(labels__contains=[label])
    table = connection.ops.quote_name(qs.model._meta.db_table)
    sql = f"EXISTS (SELECT 1 FROM json_each({table}.labels) WHERE json_each.value = %s)"
    alias = f"has_label_{n}"
    return qs.alias(**{alias: RawSQL(sql, [label])}).filter(**{alias: True})


# -- reads: estimated counts


class _NotIndexed(BaseTable):
    """The query's main table as `"table" NOT INDEXED` (SQLite): rows found by rowid only."""

    def as_sql(self, compiler, connection):
        sql, params = super().as_sql(compiler, connection)
        return f"{sql} NOT INDEXED", params


def by_rowid(qs: QuerySet) -> QuerySet:
    """`qs` made to fetch its rows by primary key alone, on SQLite.

    Given `pk IN (2,000 ids)` and another filter, SQLite may walk that filter's index
    (200,000 rows of "completed this year") and test each row against the ids; NOT INDEXED
    leaves it the rowid lookups (70 ms -> 5 ms). PostgreSQL plans this well by itself.
    """
    if connections[qs.db].vendor != "sqlite":
        return qs
    qs = qs.all()
    query = qs.query
    query.get_initial_alias()
    alias = query.base_table
    table = query.alias_map[alias]
    query.alias_map[alias] = _NotIndexed(table.table_name, table.table_alias)
    return qs


def planner_rows(connection: BaseDatabaseWrapper, sql: str, params) -> int | None:
    """PostgreSQL's estimate of how many rows `sql` returns (EXPLAIN), None if unknown."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
    except Exception:  # an estimate is a nicety; never fail the page for it
        return None
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def column_shares(connection: BaseDatabaseWrapper, table: str, column: str) -> dict[str, float]:
    """PostgreSQL's statistics of a column: {value: share of rows} of its common values."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_vals::text::text[], most_common_freqs FROM pg_stats "
            "WHERE tablename = %s AND attname = %s",
            [table, column],
        )
        row = cursor.fetchone()
    return dict(zip(row[0], row[1], strict=True)) if row and row[0] else {}
