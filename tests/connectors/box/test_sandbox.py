"""The demo fake, driven by the real connector over real HTTP (Django's live server)."""

from __future__ import annotations

from collections import Counter

from signhub.connectors.box import sandbox
from signhub.connectors.box.statuses import STATUSES
from signhub.core.accounts import AccountInput, create_account
from signhub.core.connector import SyncContext
from signhub.core.models import SignedDocument, SyncRun
from signhub.core.sync import sync_account


def test_a_demo_account_syncs_every_status_from_the_sandbox(db, live_server):
    demo = sandbox.demo_account()
    account = create_account(
        AccountInput(
            provider="box",
            name="Box demo",
            base_url=f"{live_server.url}/sandbox/box",
            credentials=demo["credentials"],
            options=demo["options"],
        )
    )

    run = sync_account(account, full=True)

    assert run.state == SyncRun.State.SUCCEEDED, run.error_message
    assert run.pages == 4  # 260 owned at the sandbox's 100 per page, then 60 shared
    assert SignedDocument.objects.count() == sandbox.TOTAL  # the 20 overlapping ones once
    raw = Counter(SignedDocument.objects.values_list("provider_status", flat=True))
    assert set(raw) == {s for s in STATUSES if s in sandbox.ENUM}
    assert len(raw) == 13
    assert not SignedDocument.objects.filter(status="unknown").exists()
    account.refresh_from_db()
    assert account.credentials["access_token"].startswith("sbx-")

    signed = SignedDocument.objects.filter(provider_status="signed").first()
    stream = account.connector().open_file(signed, signed.files[-1]["key"])
    assert signed.files[-1]["kind"] == "audit"
    assert b"".join(stream.chunks).startswith(b"%PDF")

    assert sync_account(account).state == SyncRun.State.SUCCEEDED

    # Request count: the stored token is reused, so a listing is exactly its pages.
    connector = account.connector()
    ctx = SyncContext(full=True, state={}, known_ids=lambda ids: set())
    assert sum(len(p.documents) for p in connector.iter_pages(ctx)) == sandbox.TOTAL
    assert connector.http.attempts == 4
    one = connector.refresh_document(signed.external_id)
    assert (one.external_id, one.title) == (signed.external_id, signed.title)
