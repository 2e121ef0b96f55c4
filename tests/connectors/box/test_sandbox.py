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
    audit = next(f for f in signed.files if f["kind"] == "audit")
    stream = account.connector().open_file(signed, audit["key"])
    assert b"".join(stream.chunks).startswith(b"%PDF")
    # A file a signer attached downloads like the others (a Box file id).
    declined = SignedDocument.objects.filter(provider_status="declined")
    doc = next(d for d in declined if any(f["kind"] == "attachment" for f in d.files))
    attachment = next(f for f in doc.files if f["kind"] == "attachment")
    stream = account.connector().open_file(doc, attachment["key"])
    assert b"".join(stream.chunks).startswith(b"%PDF")
    assert {f["kind"] for f in doc.files} == {"original", "attachment"}

    assert sync_account(account).state == SyncRun.State.SUCCEEDED

    # Request count: the stored token is reused, so a listing is exactly its pages.
    connector = account.connector()
    ctx = SyncContext(full=True, state={}, known_ids=lambda ids: set())
    assert sum(len(p.documents) for p in connector.iter_pages(ctx)) == sandbox.TOTAL
    assert connector.http.attempts == 4
    one = connector.refresh_document(signed.external_id)
    assert (one.external_id, one.title) == (signed.external_id, signed.title)


def test_the_sandbox_connects_with_box_and_reads_its_users_as_user(db, live_server, client):
    """What the demo needs: Connect with Box on the sandbox's consent page, then users=all."""
    from urllib.parse import urlsplit

    import requests
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("root", "r@x.com", "pw"))
    account = create_account(
        AccountInput(
            provider="box",
            name="Box connect demo",
            base_url=f"{live_server.url}/sandbox/box",
            credentials={"client_id": "demo-client", "client_secret": "demo-secret"},
            options={"authorize_url": "oauth2/authorize", "token_url": "oauth2/token",
                     "users": "all", "include_shared": "false"},
        )
    )  # fmt: skip
    assert account.connection_state == "waiting"
    consent = client.get(f"/connect/{account.endpoint_key}/")["Location"]
    assert consent.startswith(f"{live_server.url}/sandbox/box/oauth2/authorize?")
    assert "Grant access to Box" in requests.get(consent, timeout=5).text
    fields = dict(p.split("=", 1) for p in urlsplit(consent).query.split("&"))
    from urllib.parse import unquote

    answer = requests.post(
        consent.split("?")[0],
        data={**{k: unquote(v) for k, v in fields.items()}, "decision": "grant"},
        allow_redirects=False,
        timeout=5,
    )
    back = urlsplit(answer.headers["Location"])
    assert client.get(f"{back.path}?{back.query}").status_code == 302
    account.refresh_from_db()
    assert account.connection_state == "connected"
    assert account.credentials["refresh_token"].startswith("sbr-")
    # The same code again: the sandbox refuses it (single use), nothing changes.
    again = requests.post(
        f"{live_server.url}/sandbox/box/oauth2/token",
        data={"grant_type": "authorization_code", "code": dict(
            p.split("=", 1) for p in back.query.split("&"))["code"],
            "client_id": "demo-client", "client_secret": "demo-secret"},
        timeout=5,
    )  # fmt: skip
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"

    run = sync_account(account, full=True)
    assert run.state == SyncRun.State.SUCCEEDED, run.error_message
    assert SignedDocument.objects.filter(account=account).count() == sandbox.OWNED_BELOW
    read_as = Counter(
        (d.raw.get("signhub_read_as") or {}).get("id")
        for d in SignedDocument.objects.filter(account=account)
    )
    # The token's own user lists everything owned first, so nothing is left for As-User.
    assert read_as == {None: sandbox.OWNED_BELOW}
