"""PostgreSQL-only indexes for the dashboard's free text and label filters.

Why not in the model's Meta: a trigram GIN index needs the pg_trgm extension and a GIN
index on JSON has no SQLite equivalent, so they are created here only on PostgreSQL
(SQLite keeps its plain scans; see docs/dashboard.md for the measured difference).

- doc_search_trgm_idx: `search_text LIKE '%term%'` for a rare term (an id, a surname)
  reads a few index pages instead of scanning every document.
- doc_labels_gin_idx: `labels @> '["payroll"]'` for a rare label.

Built CONCURRENTLY (the migration is not atomic) so a large index keeps syncing while
they build. pg_trgm is a trusted extension: the database owner may create it; where
the role may not, ask the DBA to run `CREATE EXTENSION pg_trgm` once, then migrate.
"""

from django.db import migrations

INDEXES = [
    (
        "doc_search_trgm_idx",
        "core_signeddocument USING gin (search_text gin_trgm_ops)",
    ),
    (
        "doc_labels_gin_idx",
        "core_signeddocument USING gin (labels jsonb_path_ops)",
    ),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("core", "0003_signeddocument_doc_present_status_idx")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
