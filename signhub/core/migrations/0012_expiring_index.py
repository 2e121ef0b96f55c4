"""Needs attention's "expiring soon" group read from an index of in-progress documents by
expiry instead of a scan of the whole table.

Built CONCURRENTLY on PostgreSQL (the migration is not atomic), like 0004: on 1,000,000
documents the build reads the whole table (46 s on the shared bench machine), and syncs
keep writing meanwhile. SQLite builds it in the usual way.
"""

from django.db import migrations, models

INDEX = models.Index(
    fields=["expires_at", "id"],
    condition=models.Q(status="in_progress"),
    name="doc_expiring_idx",
)


def create(apps, schema_editor):
    model = apps.get_model("core", "SignedDocument")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(model, INDEX, concurrently=True)
    else:
        schema_editor.add_index(model, INDEX)


def drop(apps, schema_editor):
    model = apps.get_model("core", "SignedDocument")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(model, INDEX, concurrently=True)
    else:
        schema_editor.remove_index(model, INDEX)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("core", "0011_title_sort"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(create, drop, elidable=False)],
            state_operations=[migrations.AddIndex(model_name="signeddocument", index=INDEX)],
        ),
    ]
