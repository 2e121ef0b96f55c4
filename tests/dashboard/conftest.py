"""Personas and index factories for the dashboard tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from signhub.core.connector import FileRecord, SignerRecord
from signhub.core.index import IndexWriter
from signhub.core.status import DocumentStatus
from tests.fakes import make_record

__all__ = ["FileRecord", "SignerRecord", "DocumentStatus", "index", "make_record"]


def index(account, records, seen_at: datetime | None = None) -> None:
    """Write records into the index through the real writer (parties included)."""
    IndexWriter(account, seen_at=seen_at or timezone.now()).write(records)


@pytest.fixture
def accounts(make_account):
    """Account A (fake provider, shared with group A) and B (fakehttp, shared with group B)."""
    group_a = Group.objects.create(name="reviewers-a")
    group_b = Group.objects.create(name="reviewers-b")
    now = timezone.now()
    a = make_account("fake", name="Acme Box", last_success_at=now)
    b = make_account("fakehttp", name="Beta Sign", last_success_at=now)
    a.visible_to.add(group_a)
    b.visible_to.add(group_b)
    return a, b


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.com", "pw")


@pytest.fixture
def reviewer_a(accounts):
    user = User.objects.create_user("alice", "alice@example.com", "pw")
    user.groups.add(Group.objects.get(name="reviewers-a"))
    return user


@pytest.fixture
def reviewer_b(accounts):
    user = User.objects.create_user("bob", "bob@example.com", "pw")
    user.groups.add(Group.objects.get(name="reviewers-b"))
    return user


@pytest.fixture
def docs(accounts):
    """A few documents in each account, with distinct, searchable details."""
    a, b = accounts
    index(
        a,
        [
            make_record(
                1,
                title="Employment contract Maria Lopez",
                signers=[
                    SignerRecord(
                        email="Maria.Lopez@example.com",
                        name="Maria Lopez",
                        status="signed",
                        order=1,
                        decided_at=datetime(2026, 3, 10, 14, 30, tzinfo=UTC),
                    )
                ],
                labels=["contracts", "hr"],
                files=[FileRecord(key="signed", name="contract.pdf", kind="signed")],
                raw={"id": 1, "note": "<b>raw</b>"},
            ),
            make_record(2, title="NDA Peter", status=DocumentStatus.DECLINED),
            make_record(3, title="<script>alert(1)</script>", labels=["=cmd|' /C calc'!A0"]),
        ],
    )
    index(
        b,
        [
            make_record(10, title="Beta policy", sender_email="maria.lopez@example.com"),
            make_record(11, title="Beta offer", status=DocumentStatus.IN_PROGRESS),
        ],
    )
    return a, b


def bulk_docs(account, n: int, *, signers: int = 1, labels: int = 1, start: int = 0) -> None:
    """n documents with `signers` signers and `labels` labels each, spread over time."""
    base = datetime(2026, 1, 1, tzinfo=UTC)
    index(
        account,
        [
            make_record(
                i,
                signers=[
                    SignerRecord(email=f"s{i}-{k}@example.com", name=f"Signer {k}", order=k)
                    for k in range(signers)
                ],
                labels=[f"label-{k}" for k in range(labels)],
                completed_at=base + timedelta(hours=i),
                created_at=base + timedelta(hours=i) - timedelta(days=2),
            )
            for i in range(start, start + n)
        ],
    )


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached per-account document counts must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
