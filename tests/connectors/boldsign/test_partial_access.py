"""A key whose plan has no sender identities: behalfList answers 403, `list` still syncs,
the run is partial with the warning, and behalf documents seen earlier stay present.

Shapes: rows as fixtures/list_row.json (the SDK's `Document` model, boldsign-php-sdk
docs/Model/Document.md); the 403 body as BoldSign's error answers ({"error": ...}).
"""

from __future__ import annotations

import io

import pytest
import responses
from django.core.management import call_command

from signhub.core.models import SignedDocument, SyncRun
from signhub.core.sync import sync_account

from .conftest import BEHALF_URL, LIST_URL, TEAM_URL, page_body, row, serve_listing

pytestmark = pytest.mark.django_db

FORBIDDEN = {"error": "You do not have permission to view sender identity documents."}
BEHALF_WORDS = "may not read documents sent on behalf of others"


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def behalf_row(i: int) -> dict:
    return row(i, behalfOf={"name": "Manager", "emailAddress": "manager@example.com"})


def test_a_403_behalf_list_leaves_the_other_lists_synced_and_nothing_removed(api_key_account, rsps):
    account = api_key_account(lists="list,behalf_others")
    serve_listing(rsps, LIST_URL, [row(1), row(2)])
    serve_listing(rsps, BEHALF_URL, [behalf_row(3)])
    assert sync_account(account, full=True).state == SyncRun.State.SUCCEEDED
    assert SignedDocument.objects.get(external_id="doc-00003").listed_in == "behalf_others"

    rsps.reset()
    serve_listing(rsps, LIST_URL, [row(1), row(2), row(4)])
    rsps.get(BEHALF_URL, status=403, json=FORBIDDEN)
    run = sync_account(account, full=True)

    assert run.state == SyncRun.State.PARTIAL, run.error_message
    assert run.created == 1 and run.removed == 0
    assert any(BEHALF_WORDS in w and "403" in w for w in run.warnings)
    assert not SignedDocument.objects.filter(removed_at__isnull=False).exists()
    account.refresh_from_db()
    assert [w["list"] for w in account.access_warnings] == ["behalf_others"]


def test_team_lists_refused_are_partial_too_and_sync_exits_0(api_key_account, rsps):
    account = api_key_account(lists="list,team")
    serve_listing(rsps, LIST_URL, [row(1)])
    rsps.get(TEAM_URL, status=403, json={"error": "Only admins can access team documents."})
    out = io.StringIO()
    call_command("sync", "--account", account.name, "--full", stdout=out)
    text = out.getvalue()
    assert "partly synced" in text and "warning: Only account or team admins" in text
    assert SignedDocument.objects.count() == 1


def test_the_main_list_refused_is_still_a_failure(api_key_account, rsps):
    account = api_key_account(lists="list,behalf_others")
    rsps.get(LIST_URL, status=403, json=FORBIDDEN)
    rsps.get(BEHALF_URL, json=page_body([], 0))
    assert sync_account(account, full=True).state == SyncRun.State.FAILED
