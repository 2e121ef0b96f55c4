"""Personas and data for the security suite: two groups, two accounts, two reviewers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from signhub.core.models import ProviderAccount, SignedDocument

from . import connectors


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _reset_connectors():
    connectors.reset()
    yield
    connectors.reset()


def make_document(account: ProviderAccount, external_id: str, **kwargs) -> SignedDocument:
    now = timezone.now()
    title = kwargs.pop("title", f"Contract {external_id}")
    files = kwargs.pop(
        "files",
        [
            {"key": "signed", "name": f"{external_id}.pdf", "kind": "signed", "handle": {}},
            {"key": "audit", "name": "audit-trail.pdf", "kind": "audit", "handle": {}},
        ],
    )
    values = {
        "provider": account.provider,
        "status": "completed",
        "provider_status": "done",
        "signers": [{"name": "Ann Employee", "email": f"ann.{external_id}@example.com"}],
        "completed_at": now,
        "created_at": now,
        "content_hash": "x",
        "first_seen_at": now,
        "last_seen_at": now,
        "search_text": f"{title} {external_id}".lower(),
    }
    values.update(kwargs)
    return SignedDocument.objects.create(
        account=account, external_id=external_id, title=title, files=files, **values
    )


@dataclass
class World:
    alice: User  # reviewer in group Alpha: sees account A only
    bob: User  # reviewer in group Bravo: sees account B only
    admin: User
    account_a: ProviderAccount
    account_b: ProviderAccount
    docs_a: list[SignedDocument]
    docs_b: list[SignedDocument]


@pytest.fixture
def world(db, make_account) -> World:
    alpha, bravo = Group.objects.create(name="Alpha"), Group.objects.create(name="Bravo")
    alice = User.objects.create_user("alice", password="pw-alice-123")
    alice.groups.add(alpha)
    bob = User.objects.create_user("bob", password="pw-bob-123")
    bob.groups.add(bravo)
    admin = User.objects.create_superuser("root", "root@example.com", "pw-root-123")
    account_a = make_account("scripted", name="Account Alpha")
    account_a.visible_to.add(alpha)
    account_b = make_account("scripted", name="Account Bravo")
    account_b.visible_to.add(bravo)
    docs_a = [
        make_document(account_a, f"ALPHALEAK{i}", title=f"Alphaleak title {i}") for i in range(2)
    ]
    docs_b = [
        make_document(account_b, f"BRAVOLEAK{i}", title=f"Bravoleak title {i}") for i in range(3)
    ]
    return World(alice, bob, admin, account_a, account_b, docs_a, docs_b)
