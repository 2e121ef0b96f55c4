"""Reading as several users (option `users`): one user Box will not let the app act as
(403 from the As-User listing) leaves the others synced, the run partial, and that user's
requests present.

Shapes: sign request entries as fixtures/list_last_page.json (box-openapi `SignRequest`);
the 403 body is Box's client error ({"type": "error", "status", "code", "message",
"request_id"}, box-openapi `ClientError`).
"""

from __future__ import annotations

import json

import pytest
import responses

from signhub.core.models import SignedDocument, SyncRun
from signhub.core.sync import sync_account

from .helpers import LIST_URL, load

pytestmark = pytest.mark.django_db

REFUSED = {
    "type": "error",
    "status": 403,
    "code": "access_denied_insufficient_permissions",
    "message": "Access denied - insufficient permission",
    "request_id": "abc123",
}


def entry(request_id: str) -> dict:
    row = json.loads(json.dumps(load("list_last_page")["entries"][0]))
    row["id"] = request_id
    return row


def serve(rsps, rows_by_user: dict, refused: set[str]):
    def listing(request):
        who = request.headers.get("As-User")
        if who in refused:
            return 403, {}, json.dumps(REFUSED)
        body = {"entries": rows_by_user.get(who, []), "next_marker": None}
        return 200, {}, json.dumps(body)

    rsps.add_callback(responses.GET, LIST_URL, callback=listing)


def test_a_user_box_refuses_is_partial_and_keeps_their_requests(make_account):
    account = make_account(
        "box",
        credentials={"access_token": "dev"},
        options={"users": "11,12", "include_shared": "false"},
    )
    rows = {None: [], "11": [entry("sr-a")], "12": [entry("sr-b")]}
    with responses.RequestsMock() as rsps:
        serve(rsps, rows, refused=set())
        assert sync_account(account).state == SyncRun.State.SUCCEEDED
    assert SignedDocument.objects.get(external_id="sr-b").listed_in == "user:12"

    with responses.RequestsMock() as rsps:
        serve(rsps, {**rows, "11": [entry("sr-a"), entry("sr-c")]}, refused={"12"})
        run = sync_account(account)
    assert run.state == SyncRun.State.PARTIAL, run.error_message
    assert run.created == 1 and run.removed == 0
    assert any("Box would not let signhub read as user 12" in w for w in run.warnings)
    assert SignedDocument.objects.get(external_id="sr-b").removed_at is None
    account.refresh_from_db()
    assert not account.needs_reconnect  # the user, not the app, lacks the permission
    assert [w["list"] for w in account.access_warnings] == ["user:12"]


def test_the_token_s_own_listing_refused_still_fails(make_account):
    account = make_account("box", credentials={"access_token": "dev"}, options={"users": "11"})
    with responses.RequestsMock() as rsps:
        serve(rsps, {}, refused={None})
        assert sync_account(account).state == SyncRun.State.FAILED
