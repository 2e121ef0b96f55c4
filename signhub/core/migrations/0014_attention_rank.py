"""Needs attention's urgency key (signhub.core.urgency): two stored generated columns the
database fills as they are added, and their partial index.

PostgreSQL: both columns in one ALTER TABLE (one rewrite of the table, under an exclusive
lock: writes and reads wait; 300,000 documents: 28 s on the shared bench machine, 51 s as
two statements with the index built inside), then the index built CONCURRENTLY, like
0012 (the migration is not atomic). SQLite rebuilds the table
(the text index's triggers come back after `migrate`).
"""

import django.db.models.functions.comparison
from django.db import migrations, models

FIELDS = ("attention_at", "attention_rank")
INDEX = "doc_attention_idx"


def create(apps, schema_editor):
    model = apps.get_model("core", "SignedDocument")
    index = next(i for i in model._meta.indexes if i.name == INDEX)
    fields = [model._meta.get_field(name) for name in FIELDS]
    connection = schema_editor.connection
    table = model._meta.db_table
    if connection.vendor != "postgresql":
        analyzed = _sqlite_has_statistics(connection, table)
        for field in fields:
            schema_editor.add_field(model, field)
        # SQLite rebuilds the table from the model state, which has the index already.
        with connection.cursor() as cursor:
            existing = connection.introspection.get_constraints(cursor, table)
            if INDEX not in existing:
                schema_editor.add_index(model, index)
            if analyzed:  # the rebuilt table lost its planner statistics: measured 3-10x slower
                cursor.execute(f"ANALYZE {schema_editor.quote_name(table)}")
        return
    qn = schema_editor.quote_name
    columns, params = [], []
    for field in fields:
        definition, field_params = schema_editor.column_sql(model, field, include_default=False)
        columns.append(f"ADD COLUMN {qn(field.column)} {definition}")
        params.extend(field_params)
    schema_editor.execute(f"ALTER TABLE {qn(table)} {', '.join(columns)}", params or None)
    schema_editor.add_index(model, index, concurrently=True)


def _sqlite_has_statistics(connection, table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return False
        cursor.execute("SELECT 1 FROM sqlite_stat1 WHERE tbl = %s LIMIT 1", [table])
        return cursor.fetchone() is not None


def drop(apps, schema_editor):
    model = apps.get_model("core", "SignedDocument")
    # The index first: SQLite refuses to drop a column an index still names.
    schema_editor.remove_index(model, next(i for i in model._meta.indexes if i.name == INDEX))
    for name in FIELDS:
        schema_editor.remove_field(model, model._meta.get_field(name))


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("core", "0013_document_blob_statistics"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="signeddocument",
                    name="attention_at",
                    field=models.GeneratedField(
                        db_persist=True,
                        expression=models.Case(
                            models.When(
                                models.Q(("expires_at__isnull", False), ("status", "in_progress")),
                                then=models.F("expires_at"),
                            ),
                            models.When(
                                status="expired",
                                then=django.db.models.functions.comparison.Coalesce(
                                    "ended_at",
                                    "expires_at",
                                    "last_activity_at",
                                    "created_at",
                                    "first_seen_at",
                                    output_field=models.DateTimeField(),
                                ),
                            ),
                            default=django.db.models.functions.comparison.Coalesce(
                                "ended_at",
                                "last_activity_at",
                                "created_at",
                                "first_seen_at",
                                output_field=models.DateTimeField(),
                            ),
                            output_field=models.DateTimeField(),
                        ),
                        output_field=models.DateTimeField(),
                    ),
                ),
                migrations.AddField(
                    model_name="signeddocument",
                    name="attention_rank",
                    field=models.GeneratedField(
                        db_persist=True,
                        expression=models.Case(
                            models.When(
                                models.Q(("expires_at__isnull", False), ("status", "in_progress")),
                                then=models.Value(4),
                            ),
                            models.When(status="failed", then=models.Value(3)),
                            models.When(status="declined", then=models.Value(2)),
                            models.When(status="expired", then=models.Value(1)),
                            default=models.Value(0),
                            output_field=models.SmallIntegerField(),
                        ),
                        output_field=models.SmallIntegerField(),
                    ),
                ),
                migrations.AddIndex(
                    model_name="signeddocument",
                    index=models.Index(
                        condition=models.Q(("attention_rank__gt", 0)),
                        fields=["attention_rank", "attention_at", "id"],
                        name="doc_attention_idx",
                    ),
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(create, drop, elidable=False)],
        ),
    ]
