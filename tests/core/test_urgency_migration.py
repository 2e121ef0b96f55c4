"""Migration core/0014 adds the urgency key to documents indexed before it (both databases)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from signhub.core import urgency
from signhub.core.dialects import ensure_text_index
from signhub.core.models import SignedDocument

BEFORE = ("core", "0013_document_blob_statistics")


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_key_of_existing_documents():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    account = old.get_model("core", "ProviderAccount").objects.create(
        name="Before", provider="fake", base_url="https://fake.example.com", endpoint_key="k"
    )
    Document = old.get_model("core", "SignedDocument")
    t = datetime(2026, 11, 20, 9, tzinfo=UTC)
    rows = {
        "overdue": ("in_progress", {"expires_at": t}),
        "failed": ("failed", {"last_activity_at": t, "ended_at": t + timedelta(hours=1)}),
        "declined": ("declined", {"last_activity_at": t}),
        "expired": ("expired", {"expires_at": t, "last_activity_at": t + timedelta(days=1)}),
        "done": ("completed", {"completed_at": t}),
    }
    for name, (status, dates) in rows.items():
        Document.objects.create(
            account=account, provider="fake", external_id=name, status=status,
            content_hash=name, first_seen_at=t, last_seen_at=t, **dates,
        )  # fmt: skip
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ensure_text_index(connection)  # `migrate` does it after rebuilding the table (SQLite)
    got = {d.external_id: (d.attention_rank, d.attention_at) for d in SignedDocument.objects.all()}
    assert got == {
        "overdue": (urgency.OVERDUE, t),
        "failed": (urgency.FAILED, t + timedelta(hours=1)),  # the provider's end time wins
        "declined": (urgency.DECLINED, t),
        "expired": (urgency.EXPIRED, t),  # expired on its expiry date
        "done": (urgency.NONE, t),  # first_seen_at: never NULL
    }
