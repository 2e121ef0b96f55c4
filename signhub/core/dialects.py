"""Database-specific SQL, one place per database: what the ORM cannot say fast enough.

Everything else in signhub speaks the ORM; the functions here are chosen by
`connection.vendor` and keep the same meaning on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.backends.base.base import BaseDatabaseWrapper

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

    def upsert_documents(self, table, columns, conflict, update, rows, key_index, account_id):
        qn = self.connection.ops.quote_name
        cols = _columns(qn, columns)
        sets = ", ".join(f"{qn(c)} = EXCLUDED.{qn(c)}" for c in update)
        with self.connection.cursor() as cursor:
            # Once per session (a no-op afterwards); emptied at every commit, and by the
            # DELETE below within a transaction that writes several pages.
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE_TABLE} ON COMMIT DELETE ROWS "
                f"AS SELECT {cols} FROM {qn(table)} WITH NO DATA"
            )
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


def index_pages(connection: BaseDatabaseWrapper) -> SqlitePages:
    """The page writer for this connection's database."""
    return (
        PostgresPages(connection) if connection.vendor == "postgresql" else SqlitePages(connection)
    )
