"""A user without Company Safe access: the safe answers ACCESS_DENIED, the personal list
still syncs, the run is partial with the warning, and nothing is flagged removed.

Shapes: `sign.b2e.*.tail` rows as recorded in fixtures/mysafe_tail.json; the denial is the
REST error body {"error": "ACCESS_DENIED", "error_description": ...} (fixtures/
error_access_denied.json, after apidocs.bitrix24.com's list of common REST errors).
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from signhub.core.models import SignedDocument, SyncRun
from signhub.core.sync import sync_account

from .conftest import PERSONAL_URL, SAFE_URL, load, personal_row, safe_row, serve_users

pytestmark = pytest.mark.django_db

EMPTY = {"result": [], "time": load("empty_page")["time"]}
SAFE_WORDS = "This user cannot see the company safe; personal documents are synced."


def page(*rows):
    return {"result": list(rows), "time": load("empty_page")["time"]}


def denied(rsps):
    rsps.post(SAFE_URL, status=403, json=load("error_access_denied"))


def test_a_denied_safe_syncs_the_personal_list_and_flags_nothing_removed(account, rsps):
    # An earlier sync, while the user could still see the safe: two safe-only documents.
    rsps.post(SAFE_URL, json=page(safe_row(70), safe_row(69)))
    rsps.post(SAFE_URL, json=EMPTY)
    rsps.post(PERSONAL_URL, json=page(personal_row(50)))
    rsps.post(PERSONAL_URL, json=EMPTY)
    assert sync_account(account, full=True).state == SyncRun.State.SUCCEEDED
    assert list(
        SignedDocument.objects.order_by("external_id").values_list("external_id", "listed_in")
    ) == [("50", "personal"), ("69", "mysafe"), ("70", "mysafe")]

    rsps.reset()
    serve_users(rsps)
    denied(rsps)
    rsps.post(PERSONAL_URL, json=page(personal_row(51), personal_row(50)))
    rsps.post(PERSONAL_URL, json=EMPTY)
    run = sync_account(account, full=True)

    assert run.state == SyncRun.State.PARTIAL, run.error_message
    assert run.created == 1 and run.removed == 0
    assert any(SAFE_WORDS in w and "sign.b2e.mysafe.tail: ACCESS_DENIED" in w for w in run.warnings)
    assert not SignedDocument.objects.filter(removed_at__isnull=False).exists()
    account.refresh_from_db()
    assert [w["message"] for w in account.access_warnings] == [SAFE_WORDS]
    assert account.last_success_at is not None and not account.last_sync_failed


def test_sync_exits_0_and_prints_the_warning(account, rsps):
    denied(rsps)
    rsps.post(PERSONAL_URL, json=page(personal_row(50)))
    rsps.post(PERSONAL_URL, json=EMPTY)
    out = io.StringIO()
    call_command(
        "sync", "--account", account.name, stdout=out
    )  # CommandError(returncode=1) would fail
    text = out.getvalue()
    assert "acme: partly synced" in text and f"warning: {SAFE_WORDS}" in text


def test_the_account_card_says_it_in_plain_words(account, rsps, staff_client):
    denied(rsps)
    rsps.post(PERSONAL_URL, json=EMPTY)
    sync_account(account, full=True)
    html = staff_client.get("/accounts/").text
    assert SAFE_WORDS in html and "ACCESS_DENIED" in html


def test_a_later_sync_that_sees_the_safe_again_clears_the_warning(account, rsps):
    denied(rsps)
    rsps.post(PERSONAL_URL, json=EMPTY)
    sync_account(account, full=True)
    rsps.reset()
    serve_users(rsps)
    rsps.post(SAFE_URL, json=EMPTY)
    rsps.post(PERSONAL_URL, json=EMPTY)
    assert sync_account(account, full=True).state == SyncRun.State.SUCCEEDED
    account.refresh_from_db()
    assert account.access_warnings == []


def test_with_the_safe_as_the_only_list_a_denial_is_the_failure(account, rsps):
    account.options = {"lists": "mysafe"}
    account.save()
    denied(rsps)
    run = sync_account(account, full=True)
    assert run.state == SyncRun.State.FAILED and "lists=personal" in run.error_message
    assert json.loads(json.dumps(run.warnings)) == []
