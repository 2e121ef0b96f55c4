"""Persist API fixtures: tokens, a JSON-calling helper, staff and reviewer users."""

from __future__ import annotations

import base64
import json

import pytest

from signhub.persist.models import ApiToken

from . import pki


@pytest.fixture
def rw_token(db) -> str:
    return ApiToken.issue("writer", can_write=True)[1]


@pytest.fixture
def ro_token(db) -> str:
    return ApiToken.issue("reader", can_write=False)[1]


@pytest.fixture
def cms_b64() -> str:
    return base64.b64encode(pki.make_cms()).decode()


class Api:
    """Calls the API the way the seed shows: JSON body on every method, bearer token."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.token = token

    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def call(self, method: str, path: str, body: dict | None = None, **kwargs):
        data = json.dumps(body) if body is not None else ""
        kwargs.setdefault("content_type", "application/json")
        # generic() sends the body on GET and DELETE too, as the seed's clients do.
        return self.client.generic(
            method, f"/persist/{path}", data=data, headers=self.headers(), **kwargs
        )

    def save(self, document="doc_12", thread="ticket_42", version=None, cms=None, **extra):
        body = {"document": document, "thread": thread, **extra}
        if version is not None:
            body["version"] = version
        body["cms"] = cms or base64.b64encode(pki.make_cms()).decode()
        return self.call("POST", "signature", body)


@pytest.fixture
def api(client, rw_token) -> Api:
    return Api(client, rw_token)


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("hr", password="pw-123456789", is_staff=True)


@pytest.fixture
def reviewer(django_user_model):
    return django_user_model.objects.create_user("rev", password="pw-123456789")


@pytest.fixture
def two_accounts(make_account):
    """Index "visible-doc" in an account group HR sees and "hidden-doc" in one it does not;
    returns a function that puts a user in that group."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from signhub.core.index import IndexWriter
    from tests.fakes import make_record

    group = Group.objects.create(name="HR")
    mine = make_account(name="mine")
    mine.visible_to.add(group)
    theirs = make_account(name="theirs")
    IndexWriter(mine, timezone.now()).write([make_record(1, external_id="visible-doc")])
    IndexWriter(theirs, timezone.now()).write([make_record(2, external_id="hidden-doc")])
    return lambda user: user.groups.add(group)
