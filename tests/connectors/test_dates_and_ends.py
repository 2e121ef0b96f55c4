"""Dates that mean one thing: each provider's demo, synced over real HTTP, then read back
through the list, the CSV export and `export_documents` (they must agree)."""

from __future__ import annotations

import csv
import io
import json
from importlib import import_module

import pytest
from django.core.management import call_command
from django.utils import timezone

from signhub.core.accounts import AccountInput, create_account
from signhub.core.models import SignedDocument, SyncRun
from signhub.core.remap import remap
from signhub.core.status import ENDED_STATUSES, DocumentStatus
from signhub.core.sync import sync_account

pytestmark = pytest.mark.django_db

PROVIDERS = ["bitrix24", "boldsign", "box", "jsign"]


def demo_account(provider: str, live_server):
    data = import_module(f"signhub.connectors.{provider}.sandbox").demo_account()
    return create_account(
        AccountInput(
            provider=provider,
            name=f"{provider}-demo",
            base_url=f"{live_server.url}/sandbox/{provider}",
            credentials=data["credentials"],
            options=data["options"],
        )
    )


def exported() -> dict[str, dict]:
    out = io.StringIO()
    call_command("export_documents", stdout=out)
    return {r["external_id"]: r for r in map(json.loads, out.getvalue().splitlines())}


def csv_rows(client) -> dict[str, dict]:
    response = client.get("/documents/export.csv", {"removed": "on"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return {r["external_id"]: r for r in csv.DictReader(io.StringIO(body))}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_completed_only_when_completed_and_the_exports_agree(provider, live_server, staff_client):
    account = demo_account(provider, live_server)
    run = sync_account(account, full=True)
    assert run.state == SyncRun.State.SUCCEEDED, run.error_message
    docs = SignedDocument.objects.filter(account=account)

    ended = docs.filter(status__in=ENDED_STATUSES)
    assert not ended.exclude(completed_at=None).exists()  # never "completed" if it ended
    completed = docs.filter(status=DocumentStatus.COMPLETED)
    assert completed.exists() and not completed.filter(completed_at=None).exists()
    assert not docs.exclude(status__in=ENDED_STATUSES).exclude(ended_at=None).exists()
    if provider != "bitrix24":  # Bitrix24's tails list signed documents only
        assert ended.filter(status=DocumentStatus.DECLINED).exists()
        assert not ended.filter(status=DocumentStatus.DECLINED, ended_at=None).exists()

    jsonl, table = exported(), csv_rows(staff_client)
    assert set(jsonl) == set(table) == set(docs.values_list("external_id", flat=True))
    for doc in docs:
        row, line = table[doc.external_id], jsonl[doc.external_id]
        stamp = doc.completed_at.isoformat().replace("+00:00", "Z") if doc.completed_at else None
        assert line["completed_at"] == stamp and row["completed_at"] == (stamp or "")
        end = doc.ended_at.isoformat().replace("+00:00", "Z") if doc.ended_at else None
        assert line["ended_at"] == end and row["ended_at"] == (end or "")
        assert line["end_reason"] == doc.end_reason == row["end_reason"].lstrip("'")
        assert line["ended_by"] == doc.ended_by == row["ended_by"]
    if provider == "jsign":
        jsign_facts(docs)


def jsign_facts(docs):
    """The sandbox's details carry each signer's signing time, like JSign's: the last of
    them is the completion, with no history call needed; declines say why."""
    done = docs.filter(status=DocumentStatus.COMPLETED).first()
    times = [s["decided_at"] for s in done.signers]
    assert all(times) and done.completed_at.isoformat() == max(times)
    assert len(done.document_hash) == 64  # the blockchain record's signed_document_hash
    declined = docs.filter(status=DocumentStatus.DECLINED).first()
    assert declined.end_reason == "The start date is wrong"
    assert declined.ended_by == "Ada Lovelace" and declined.ended_at


def test_box_decline_reason_who_and_folder(live_server):
    account = demo_account("box", live_server)
    sync_account(account, full=True)
    declined = SignedDocument.objects.filter(account=account, provider_status="declined").first()
    assert declined.end_reason == "The start date is wrong"
    assert declined.ended_by.startswith("employee") and declined.ended_at
    assert declined.folder == "HR contracts"
    finalizing = SignedDocument.objects.filter(account=account, provider_status="finalizing")
    assert finalizing.exists() and not finalizing.exclude(completed_at=None).exists()


def test_boldsign_deleted_is_removed_and_completion_is_labelled_approximate(live_server):
    account = demo_account("boldsign", live_server)
    sync_account(account, full=True)
    docs = SignedDocument.objects.filter(account=account)
    deleted = docs.get(external_id="bs-list-0007")
    assert deleted.removed_at is not None  # isDeleted: flagged removed, not live
    completed = docs.filter(status=DocumentStatus.COMPLETED)
    assert not completed.filter(completed_at_approximate=False).exists()  # list rows: activity
    # Only a Completed document offers a signed copy; the others their original.
    declined = docs.filter(status=DocumentStatus.DECLINED).first()
    assert [f["kind"] for f in declined.files] == ["original", "audit"]
    # A second sync keeps it removed (unchanged, not "back at the provider").
    sync_account(account, full=True)
    deleted.refresh_from_db()
    assert deleted.removed_at is not None


def test_rows_indexed_before_are_backfilled_from_their_raw_payloads(live_server):
    """What the migration does for existing rows: the mapping decides, from `raw`."""
    account = demo_account("box", live_server)
    sync_account(account, full=True)
    docs = SignedDocument.objects.filter(account=account)
    expected = {d.pk: (d.completed_at, d.ended_at, d.end_reason, d.files) for d in docs}
    # Rows as an older signhub wrote them: declined ones "completed", no end facts.
    for doc in docs.filter(status__in=ENDED_STATUSES):
        doc.completed_at, doc.ended_at, doc.end_reason = doc.created_at, None, ""
        doc.files = [{**f, "kind": "signed"} for f in doc.files]
        doc.save()
    assert remap(SignedDocument, now=timezone.now()) > 0
    again = {d.pk: (d.completed_at, d.ended_at, d.end_reason, d.files) for d in docs}
    assert again == expected
    assert remap(SignedDocument, now=timezone.now()) == 0  # nothing left to change
