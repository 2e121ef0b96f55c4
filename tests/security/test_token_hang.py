"""A provider's token endpoint that hangs must not stall anyone else (issue 15, finding 1).

The token call used to run inside `transaction.atomic()`; SQLite runs transactions
IMMEDIATE, so its write lock was held while the call waited: reviewers' page loads (their
session save) failed with "database is locked" and every other sync queued behind it. Here
a real loopback endpoint accepts the token request and answers only when the test lets it,
while a real sync thread waits on it, on a file database.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from contextlib import closing

import pytest
from django.db import connections

from signhub.core.models import ProviderAccount, SignedDocument, SyncRun
from signhub.core.sync import sync_account
from tests.fakes import FakeConnector, make_record

pytestmark = pytest.mark.django_db(transaction=True)


class HangingBox:
    """A Box fake whose token endpoint hangs until `release()`; the listing is empty."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.token_asked = threading.Event()
        self.released = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with closing(conn):
            request = conn.recv(65536).decode("latin-1")
            if request.startswith("POST /oauth2/token"):
                self.token_asked.set()
                self.released.wait(30)  # accepted, and no answer until released
                body = {"access_token": "at-after-the-hang", "expires_in": 3600}
            else:
                body = {"entries": [], "next_marker": None}
            data = json.dumps(body).encode()
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                + f"Content-Length: {len(data)}\r\n\r\n".encode()
                + data
            )

    def release(self) -> None:
        self.released.set()
        self.sock.close()


def test_a_hanging_token_endpoint_blocks_neither_reviewers_nor_other_accounts(
    client, django_user_model, make_account, settings
):
    settings.SIGNHUB_HTTP_TIMEOUT = 60  # the hang ends when the test says, not by timeout
    box = HangingBox()
    stuck = make_account(
        "box",
        name="Box with a dead token endpoint",
        base_url=box.url,
        credentials={
            "client_id": "cid",
            "client_secret": "cs",
            "subject_type": "enterprise",
            "subject_id": "1",
        },
        options={"include_shared": "false"},
    )
    other = make_account("fake", name="Another account")
    FakeConnector.data[other.name] = [make_record(i) for i in range(3)]
    reviewer = django_user_model.objects.create_superuser("rev", "rev@example.com", "pw")
    client.force_login(reviewer)
    runs: list[SyncRun] = []

    def sync_in_a_worker() -> None:
        try:
            runs.append(sync_account(ProviderAccount.objects.get(pk=stuck.pk)))
        finally:
            connections.close_all()

    worker = threading.Thread(target=sync_in_a_worker)
    worker.start()
    try:
        assert box.token_asked.wait(10), "the sync never asked for a token"
        time.sleep(0.2)  # the worker is now waiting on the endpoint

        started = time.monotonic()
        page = client.get("/documents/")  # a page load saves the session: a write
        page_seconds = time.monotonic() - started
        assert page.status_code == 200
        assert page_seconds < 1.0

        started = time.monotonic()
        elsewhere = sync_account(other)  # another account's sync writes its documents
        assert time.monotonic() - started < 1.0
        assert elsewhere.state == SyncRun.State.SUCCEEDED, elsewhere.error_message
        assert SignedDocument.objects.filter(account=other).count() == 3
    finally:
        box.release()
        worker.join(30)

    assert runs and runs[0].state == SyncRun.State.SUCCEEDED, runs and runs[0].error_message
    stuck.refresh_from_db()
    assert stuck.credentials["access_token"] == "at-after-the-hang"
    assert stuck.credentials_claim == ""  # the lease is released once the tokens are stored
