"""People are people: the safe rows' user ids become names and e-mails through `user.get`
(at most 50 ids a call, cached per portal, read again by a full sync); without the scope
the account says so once and the ids stay numbers.

Shapes: `user.get` result rows as conftest.user_row (apidocs.bitrix24.com
api-reference/user/user-get.md); the refusal is the REST error `insufficient_scope`
(403, api-reference/_includes/system-errors.md).
"""

from __future__ import annotations

import pytest
import responses

from signhub.core.models import SignedDocument, SyncRun
from signhub.core.sync import sync_account

from .conftest import USERS_URL, FakePortal, safe_row, serve_users

pytestmark = pytest.mark.django_db

SAFE = "sign.b2e.mysafe.tail"


@pytest.fixture
def people_portal(account):
    account.options = {"lists": "mysafe"}
    account.save()
    calls: list[list[str]] = []
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        portal = FakePortal(rsps)
        serve_users(rsps, calls)
        portal.user_calls = calls
        portal.rsps = rsps
        yield portal


def test_ids_are_resolved_in_batches_of_50_and_cached(account, people_portal):
    # 120 documents whose members are 120 different users, one creator.
    people_portal.lists[SAFE] = [safe_row(i, member_id=i, creator_id=1) for i in range(120, 0, -1)]
    assert sync_account(account, full=True).state == SyncRun.State.SUCCEEDED
    calls = people_portal.user_calls
    assert all(len(ids) <= 50 for ids in calls)
    assert sorted(int(i) for ids in calls for i in ids) == list(range(1, 121))  # each once
    doc = SignedDocument.objects.get(external_id="77")
    assert (doc.sender_name, doc.sender_email) == ("Name1 Last1", "user1@acme.example")
    assert doc.signers[0]["email"] == "user77@acme.example"

    # Incremental: nothing new to ask; a full sync asks the portal again.
    people_portal.lists[SAFE].insert(0, safe_row(121, member_id=5, creator_id=1))
    calls.clear()
    assert sync_account(account).state == SyncRun.State.SUCCEEDED
    assert calls == []
    sync_account(account, full=True)
    assert sorted(int(i) for ids in calls for i in ids) == list(range(1, 121))
    assert all(len(ids) <= 50 for ids in calls) and len(calls) <= 4  # ~ one call per page


def test_the_employee_view_finds_bitrix24_documents_by_email(account, people_portal, staff_client):
    people_portal.lists[SAFE] = [safe_row(7, member_id=42, creator_id=3)]
    sync_account(account, full=True)
    response = staff_client.get("/documents/", {"person": "user42@acme.example"})
    assert [d.external_id for d in response.context["page"].rows] == ["7"]


def test_a_missing_user_scope_is_said_once_and_ids_stay_numbers(account, make_account):
    account.options = {"lists": "mysafe"}
    account.save()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        portal = FakePortal(rsps)
        rsps.post(USERS_URL, status=403, json={"error": "insufficient_scope",
                                               "error_description": "The request requires higher privileges than provided by the access token"})  # fmt: skip
        portal.lists[SAFE] = [safe_row(i, member_id=i) for i in range(130, 0, -1)]
        run = sync_account(account, full=True)
        asked = len([c for c in rsps.calls if "user.get" in c.request.url])
    assert run.state == SyncRun.State.SUCCEEDED and not run.warnings
    assert asked == 1  # not once per page
    account.refresh_from_db()
    assert not account.needs_reconnect
    [note] = account.access_warnings
    assert (
        "user_brief" in note["message"] and note["provider_says"] == "user.get: insufficient_scope"
    )
    assert SignedDocument.objects.get(external_id="9").signers[0]["name"] == "Bitrix24 user 9"
