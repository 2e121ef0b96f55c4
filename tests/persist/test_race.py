"""Two clients saving on the same version at once: exactly one wins, nothing is lost.

Runs on whatever DATABASE_URL names; on PostgreSQL both transactions really read version 1
and race to insert version 2, and the unique constraint decides. On SQLite (IMMEDIATE
transactions) the second writer waits for the first and then sees the new version.
"""

from __future__ import annotations

import base64
import contextlib
import threading

import pytest
from django.db import connection
from django.test import Client

from signhub.persist import services
from signhub.persist.models import ApiToken, Signature

from . import pki


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_on_the_same_version_one_wins(monkeypatch):
    raw = ApiToken.issue("racer", can_write=True)[1]
    cms = base64.b64encode(pki.make_cms()).decode()
    headers = {"Authorization": f"Bearer {raw}"}
    body = {"document": "doc", "thread": "race", "cms": cms}
    assert Client().post("/persist/signature", body, headers=headers).status_code == 201

    # Hold both requests right after they read "latest = 1" so their inserts overlap.
    barrier = threading.Barrier(2)
    original_latest = services.latest
    seen: set[int] = set()

    def latest_then_wait(document, thread):
        result = original_latest(document, thread)
        ident = threading.get_ident()
        if ident not in seen:
            seen.add(ident)
            # SQLite: the other writer is queued behind our lock, so the wait times out.
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=2)
        return result

    monkeypatch.setattr(services, "latest", latest_then_wait)
    statuses: list[int] = []
    bodies: list[dict] = []

    def save(comment: str) -> None:
        try:
            r = Client().post(
                "/persist/signature",
                {**body, "version": 1, "version_comment": comment},
                headers=headers,
            )
            statuses.append(r.status_code)
            bodies.append(r.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(name,)) for name in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(statuses) == [201, 409], bodies
    if connection.vendor == "postgresql":
        # Both requests read "latest = 1" before inserting: the constraint decided, not Python.
        assert not barrier.broken
    loser = next(b for b in bodies if not b["status"])
    assert loser["code"] == "version_conflict" and loser["current_version"] == 2
    assert Signature.objects.filter(chain__thread="race").count() == 2
    winner = next(b for b in bodies if b["status"])["content"]["signature"]
    assert (
        Signature.objects.get(chain__thread="race", version=2).version_comment
        == winner["version_comment"]
    )
