"""Needs attention's urgency key (signhub.core.urgency): two stored generated columns the
database fills as they are added (PostgreSQL rewrites the table for each, SQLite rebuilds
it; the SQLite text index's triggers come back after `migrate`), and their partial index."""

import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0012_expiring_index"),
    ]

    operations = [
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
    ]
