"""The title's natural sort key, stored and indexed (signhub.core.sort_keys)."""

from django.db import migrations, models

from signhub.core.dialects import compare_as_bytes
from signhub.core.sort_keys import natural_key

BATCH = 2000


def fill_title_sort(apps, schema_editor):
    Document = apps.get_model("core", "SignedDocument")
    batch = []
    for doc in Document.objects.only("id", "title").iterator(chunk_size=BATCH):
        doc.title_sort = natural_key(doc.title)
        batch.append(doc)
        if len(batch) >= BATCH:
            Document.objects.bulk_update(batch, ["title_sort"])
            batch = []
    if batch:
        Document.objects.bulk_update(batch, ["title_sort"])


def title_sort_as_bytes(apps, schema_editor):
    Document = apps.get_model("core", "SignedDocument")
    compare_as_bytes(schema_editor.connection, Document._meta.db_table, "title_sort", 200)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_backfill_document_facts"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="signeddocument",
            name="doc_title_idx",
        ),
        migrations.AddField(
            model_name="signeddocument",
            name="title_sort",
            field=models.CharField(blank=True, default="", editable=False, max_length=200),
        ),
        migrations.RunPython(title_sort_as_bytes, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(fill_title_sort, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="signeddocument",
            index=models.Index(fields=["title_sort", "id"], name="doc_title_sort_idx"),
        ),
    ]
