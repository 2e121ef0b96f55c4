"""The demo fake portal works with the real connector over real HTTP (live_server)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from signhub.connectors.bitrix24 import sandbox
from signhub.core.accounts import AccountInput, create_account
from signhub.core.models import SignedDocument
from signhub.core.status import DocumentStatus
from signhub.core.sync import sync_account


@pytest.mark.django_db(transaction=True)
def test_a_demo_account_syncs_and_downloads_from_the_sandbox(live_server):
    demo = sandbox.demo_account()
    account = create_account(
        AccountInput(
            provider="bitrix24",
            name="demo-bitrix24",
            base_url=live_server.url + "/sandbox/bitrix24",
            credentials=demo["credentials"],
            options=demo["options"],
        )
    )

    run = sync_account(account, full=True)

    assert run.state == "succeeded", run.error_message
    docs = SignedDocument.objects.filter(account=account)
    assert docs.count() == sandbox.TOTAL
    statuses = set(docs.values_list("status", flat=True))
    assert statuses == {DocumentStatus.COMPLETED, DocumentStatus.IN_PROGRESS}
    account.refresh_from_db()
    assert account.credentials["refresh_token"] == "demo-refresh-1"  # rotated once
    # The 60 personal rows are copies of safe rows: nothing written twice.
    assert (run.fetched, run.created, run.updated) == (300, 300, 0)

    stream = account.connector().open_file(docs.get(external_id="10"), "signed")
    assert b"".join(stream.chunks) == sandbox.PDF
    stream.close()
    assert stream.filename == "signed-10.pdf"

    out = StringIO()
    call_command("export_documents", "--format", "jsonl", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
    assert len(lines) == sandbox.TOTAL
    assert "demo-access" not in out.getvalue()

    # Incremental: nothing new → one page per list.
    again = sync_account(account)
    assert again.state == "succeeded" and again.created == 0


def test_the_sandbox_clamps_bad_limits_like_the_server(client):
    response = client.post(
        "/sandbox/bitrix24/rest/sign.b2e.mysafe.tail.json",
        data=json.dumps({"auth": "demo-access-1", "limit": 500, "offset": 0}),
        content_type="application/json",
    )
    assert len(response.json()["result"]) == 20


def test_the_sandbox_token_endpoint_rejects_unknown_grants(client):
    response = client.get(
        "/sandbox/bitrix24/oauth/token/",
        {
            "grant_type": "refresh_token",
            "client_id": sandbox.CLIENT_ID,
            "client_secret": sandbox.CLIENT_SECRET,
            "refresh_token": "nope",
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
