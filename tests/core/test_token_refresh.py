"""Token renewal (signhub.core.credentials): one refresh at a time across processes, and no
provider call inside a database transaction (issue 15, finding 1).

A worker claims the account row (a lease with an expiry), calls the token endpoint with no
transaction open, then stores the tokens and releases the claim in one short transaction.
A worker in another process that finds the row claimed waits and rereads: it uses the new
tokens and never spends the single-use refresh token a second time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote

import pytest
from django.db import connection, connections
from django.utils import timezone

from signhub.core import credentials
from signhub.core.errors import ConnectorError
from signhub.core.models import ProviderAccount

ROOT = Path(__file__).resolve().parents[2]
TOKENS = {"access_token": "at-0", "refresh_token": "rt-0"}


def claim_elsewhere(account: ProviderAccount, *, expires_in: float) -> None:
    """What another process does first: claim the row (as `credentials.rotate` would)."""
    ProviderAccount.objects.filter(pk=account.pk).update(
        credentials_claim="another-process",
        credentials_claim_until=timezone.now() + timedelta(seconds=expires_in),
    )


def test_a_refresh_stores_the_tokens_and_releases_the_claim(make_account):
    account = make_account(credentials=dict(TOKENS))
    seen = []

    def refresh(current):
        seen.append(dict(current))
        row = ProviderAccount.objects.get(pk=account.pk)
        assert row.credentials_claim, "the row is claimed while the provider is called"
        return {"access_token": "at-1", "refresh_token": "rt-1"}

    assert credentials.rotate(account, refresh)["refresh_token"] == "rt-1"
    assert seen == [TOKENS]
    row = ProviderAccount.objects.get(pk=account.pk)
    assert row.credentials == {"access_token": "at-1", "refresh_token": "rt-1"}
    assert (row.credentials_claim, row.credentials_claim_until) == ("", None)


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_finds_the_row_claimed_waits_and_uses_the_new_tokens(make_account):
    account = make_account(credentials=dict(TOKENS))
    claim_elsewhere(account, expires_in=60)

    def the_other_process_finishes():
        time.sleep(0.3)
        ProviderAccount.objects.filter(pk=account.pk).update(
            credentials={"access_token": "at-1", "refresh_token": "rt-1"},
            credentials_claim="",
            credentials_claim_until=None,
        )
        connections.close_all()

    other = threading.Thread(target=the_other_process_finishes)
    other.start()
    called = []
    result = credentials.rotate(account, lambda current: called.append(current) or {})
    other.join()

    assert called == []  # rt-0 was spent by the other process: never sent again
    assert result == account.credentials == {"access_token": "at-1", "refresh_token": "rt-1"}


def test_a_claim_left_by_a_crashed_worker_lapses(make_account):
    account = make_account(credentials=dict(TOKENS))
    claim_elsewhere(account, expires_in=-1)
    result = credentials.rotate(account, lambda current: {"access_token": "at-1"})
    assert result["access_token"] == "at-1"
    assert ProviderAccount.objects.get(pk=account.pk).credentials_claim == ""


def test_a_claim_held_too_long_is_a_retryable_error_not_a_second_refresh(make_account, monkeypatch):
    account = make_account(credentials=dict(TOKENS))
    claim_elsewhere(account, expires_in=60)
    monkeypatch.setattr(credentials, "wait_seconds", lambda: 0.2)
    called = []
    with pytest.raises(ConnectorError) as info:
        credentials.rotate(account, lambda current: called.append(1) or {})
    assert info.value.code == "refresh_in_progress" and info.value.retryable
    assert called == []


def test_a_failed_refresh_releases_the_claim_and_keeps_the_tokens(make_account):
    account = make_account(credentials=dict(TOKENS))

    def refused(current):
        raise ConnectorError("refused", code="token_refused", needs_reconnect=True)

    with pytest.raises(ConnectorError):
        credentials.rotate(account, refused)
    row = ProviderAccount.objects.get(pk=account.pk)
    assert row.credentials == TOKENS and row.credentials_claim == ""


class SingleUseTokens:
    """A Box-style OAuth token endpoint: each refresh token works once, and answering takes
    a moment (so the second process arrives while the first is waiting for it)."""

    def __init__(self) -> None:
        self.spent: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
                used = form["refresh_token"][0]
                time.sleep(0.5)
                if used in owner.spent:
                    status, body = 400, {"error": "invalid_grant"}
                else:
                    owner.spent.append(used)
                    n = len(owner.spent)
                    status, body = 200, {"access_token": f"at-{n}", "refresh_token": f"rt-{n}"}
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = quote(s["USER"] or "postgres") + (":" + quote(s["PASSWORD"]) if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


CHILD = """
import json, sys, time
import django
django.setup()
from signhub.core.models import ProviderAccount
connector = ProviderAccount.objects.get(pk=int(sys.argv[1])).connector()
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
connector.client.auth.refresh_after_401()
print(json.dumps(connector.credentials["refresh_token"]))
"""


@pytest.mark.django_db(transaction=True)
def test_two_processes_renewing_at_once_spend_the_refresh_token_once(make_account, settings):
    provider = SingleUseTokens()
    account = make_account(
        "box",
        base_url=provider.url,
        credentials={"client_id": "c", "client_secret": "s", **TOKENS},
        options={"token_url": f"{provider.url}/token"},
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "DJANGO_SETTINGS_MODULE": "signhub.settings",
        "DATABASE_URL": database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "SIGNHUB_ENCRYPTION_KEYS": ",".join(settings.SIGNHUB_ENCRYPTION_KEYS),
        "LOG_LEVEL": "WARNING",
    }
    start_at = str(time.time() + 3)  # both wait for the same moment after Django is up
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(account.pk), start_at],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [child.communicate(timeout=60) for child in children]
    provider.server.shutdown()

    assert [c.returncode for c in children] == [0, 0], [err for _, err in outputs]
    assert provider.spent == ["rt-0"]  # one refresh, never a second use of rt-0
    assert [json.loads(out) for out, _ in outputs] == ["rt-1", "rt-1"]
    row = ProviderAccount.objects.get(pk=account.pk)
    assert row.credentials["refresh_token"] == "rt-1" and row.credentials_claim == ""
