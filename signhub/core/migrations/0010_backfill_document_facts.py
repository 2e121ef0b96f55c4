"""Existing rows get the facts the mappings now decide (ended, reasons, file kinds, a
completion time only for completed documents), rebuilt from their raw payloads."""

from django.db import migrations
from django.utils import timezone

FIELDS = [
    "status",
    "completed_at",
    "completed_at_approximate",
    "ended_at",
    "end_reason",
    "ended_by",
    "document_hash",
    "folder",
    "listed_in",
    "last_activity_at",
    "signers",
    "files",
]


def backfill(apps, schema_editor):
    from signhub.core.remap import remap

    remap(apps.get_model("core", "SignedDocument"), fields=FIELDS, now=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("core", "0009_document_ends_and_partial_access")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
