"""No planner statistics for the document columns no query filters or sorts on.

The sync ANALYZEs the document table after large writes (signhub.core.index), and on
PostgreSQL most of that time went to sampling and sorting these wide values: the JSON
blobs (raw payload, signers, files) and the content hash, which is only read back by id
and compared in Python. Measured on the bench's documents: ANALYZE of 100,000 took
0.77 s with statistics on every column, 0.43 s without the three JSON ones; of 50,000,
0.44 s before this migration and 0.30-0.38 s after. Every other column keeps its
statistics (the list's filters and sorts).
SQLite has no such setting.
"""

from django.db import migrations

COLUMNS = ["raw", "signers", "files", "content_hash"]


def _set(schema_editor, target: int) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    alters = ", ".join(f"ALTER COLUMN {c} SET STATISTICS {target}" for c in COLUMNS)
    schema_editor.execute(f"ALTER TABLE core_signeddocument {alters}")


def forwards(apps, schema_editor):
    _set(schema_editor, 0)


def backwards(apps, schema_editor):
    _set(schema_editor, -1)


class Migration(migrations.Migration):
    dependencies = [("core", "0012_expiring_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
