"""Tokens: OAuth refresh with rotation, racing refreshes, Client Credentials, developer tokens."""

from __future__ import annotations

import json
import threading
import time
from urllib.parse import parse_qs

import pytest
import responses
from responses import matchers

from signhub.connectors.box.auth import RENEW_AT_KEY
from signhub.core.models import ProviderAccount, SyncRun
from signhub.core.sync import sync_account

from .helpers import CCG, DEVELOPER, LIST_URL, TOKEN_URL, load

NO_SHARED = {"include_shared": "false"}


def bearer(token):
    return [matchers.header_matcher({"Authorization": f"Bearer {token}"})]


def stored(account):
    return ProviderAccount.objects.get(pk=account.pk).credentials


@responses.activate
def test_oauth_refreshes_on_401_and_stores_the_new_pair_before_using_it(box_account):
    account = box_account(options=NO_SHARED)
    seen_when_used = []

    def listing(request):
        seen_when_used.append(stored(account)["refresh_token"])
        return 200, {}, json.dumps(load("list_empty"))

    responses.get(LIST_URL, status=401, body="", match=bearer("at-OLD"))
    token = responses.post(TOKEN_URL, json=load("token_refresh"))
    responses.add_callback(responses.GET, LIST_URL, callback=listing, match=bearer("at-NEW"))

    run = sync_account(account)

    assert run.state == SyncRun.State.SUCCEEDED, run.error_message
    form = parse_qs(token.calls[0].request.body)
    assert form == {
        "grant_type": ["refresh_token"],
        "refresh_token": ["rt-OLD"],
        "client_id": ["cid"],
        "client_secret": ["csecret"],
    }
    assert seen_when_used == ["rt-NEW"]  # committed before the new token was used
    creds = stored(account)
    assert (creds["access_token"], creds["refresh_token"]) == ("at-NEW", "rt-NEW")
    assert time.time() + 3000 < creds[RENEW_AT_KEY] <= time.time() + 3600 - 60


@responses.activate
def test_a_worker_that_lost_the_race_uses_the_winners_tokens(box_account):
    account = box_account()
    stale = ProviderAccount.objects.get(pk=account.pk)  # loaded before the refresh
    responses.get(LIST_URL, status=401, body="", match=bearer("at-OLD"))
    token = responses.post(TOKEN_URL, json=load("token_refresh"))
    responses.get(LIST_URL, json=load("list_empty"), match=bearer("at-NEW"))

    account.connector().check_connection()
    stale.connector().check_connection()  # gets a 401 with at-OLD, must not refresh again

    assert len(token.calls) == 1
    assert stored(account)["refresh_token"] == "rt-NEW"


@pytest.mark.django_db(transaction=True)
@responses.activate
def test_two_threads_refreshing_at_once_hit_the_token_endpoint_once(box_account):
    account = box_account()
    copies = [ProviderAccount.objects.get(pk=account.pk) for _ in range(2)]
    responses.get(LIST_URL, status=401, body="", match=bearer("at-OLD"))
    token = responses.post(TOKEN_URL, json=load("token_refresh"))
    responses.get(LIST_URL, json=load("list_empty"), match=bearer("at-NEW"))
    errors = []

    def work(copy):
        try:
            copy.connector().check_connection()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c,)) for c in copies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert len(token.calls) == 1
    assert stored(account)["refresh_token"] == "rt-NEW"


@responses.activate
def test_a_refused_refresh_asks_for_a_reconnect(box_account):
    account = box_account(options=NO_SHARED)
    responses.get(LIST_URL, status=401, body="")
    responses.post(TOKEN_URL, status=400, json=load("error_invalid_grant"))

    run = sync_account(account)

    account.refresh_from_db()
    assert run.state == SyncRun.State.FAILED
    assert account.needs_reconnect
    assert "administrator must reconnect" in run.error_message
    assert "invalid_grant" in run.error_message
    assert "rt-OLD" not in run.error_message
    assert account.credentials["refresh_token"] == "rt-OLD"  # nothing half-stored


@responses.activate
def test_a_401_after_a_fresh_token_asks_for_a_reconnect(box_account):
    account = box_account(options=NO_SHARED)
    responses.get(LIST_URL, status=401, body="")
    token = responses.post(TOKEN_URL, json=load("token_refresh"))
    run = sync_account(account)
    account.refresh_from_db()
    assert len(token.calls) == 1  # not retried forever
    assert account.needs_reconnect
    assert "even after renewing" in run.error_message


@responses.activate
def test_a_token_endpoint_outage_is_retried_not_a_reconnect(box_account):
    account = box_account(options=NO_SHARED)
    responses.get(LIST_URL, status=401, body="", match=bearer("at-OLD"))
    responses.post(TOKEN_URL, status=503, body="")
    responses.post(TOKEN_URL, json=load("token_refresh"))
    responses.get(LIST_URL, json=load("list_empty"), match=bearer("at-NEW"))
    assert sync_account(account).state == SyncRun.State.SUCCEEDED


@responses.activate
def test_developer_token_401_marks_the_account_without_a_refresh(box_account):
    account = box_account(credentials=DEVELOPER, options=NO_SHARED)
    responses.get(LIST_URL, status=401, body="")

    run = sync_account(account)

    account.refresh_from_db()
    assert len(responses.calls) == 1
    assert run.state == SyncRun.State.FAILED
    assert account.needs_reconnect
    assert "developer token" in account.last_error
    assert "dev-token" not in account.last_error


@responses.activate
def test_client_credentials_fetch_a_token_first_and_reuse_it(box_account):
    account = box_account(credentials=CCG, options=NO_SHARED)
    token = responses.post(TOKEN_URL, json=load("token_ccg"))
    responses.get(LIST_URL, json=load("list_empty"), match=bearer("ccg-AT"))

    assert sync_account(account).state == SyncRun.State.SUCCEEDED
    assert sync_account(account).state == SyncRun.State.SUCCEEDED

    assert len(token.calls) == 1
    assert parse_qs(token.calls[0].request.body) == {
        "grant_type": ["client_credentials"],
        "client_id": ["cid"],
        "client_secret": ["csecret"],
        "box_subject_type": ["enterprise"],
        "box_subject_id": ["777"],
    }
    assert stored(account)["access_token"] == "ccg-AT"


@responses.activate
def test_client_credentials_renew_a_lapsed_token_before_calling(box_account):
    creds = {**CCG, "access_token": "ccg-OLD", RENEW_AT_KEY: int(time.time()) - 5}
    account = box_account(credentials=creds, options=NO_SHARED)
    token = responses.post(TOKEN_URL, json=load("token_ccg"))
    listing = responses.get(LIST_URL, json=load("list_empty"), match=bearer("ccg-AT"))
    assert sync_account(account).state == SyncRun.State.SUCCEEDED
    assert (len(token.calls), len(listing.calls), len(responses.calls)) == (1, 1, 2)


@responses.activate
def test_client_credentials_renew_on_401(box_account):
    account = box_account(credentials={**CCG, "access_token": "ccg-OLD"}, options=NO_SHARED)
    responses.get(LIST_URL, status=401, body="", match=bearer("ccg-OLD"))
    responses.post(TOKEN_URL, json=load("token_ccg"))
    responses.get(LIST_URL, json=load("list_empty"), match=bearer("ccg-AT"))
    assert sync_account(account).state == SyncRun.State.SUCCEEDED


@responses.activate
def test_token_url_option_and_base_url_prefix_are_honoured(box_account):
    base = "https://box.internal.example/proxy"
    account = box_account(
        credentials=CCG,
        base_url=base,
        options={"include_shared": "0", "token_url": "auth/token"},
    )
    token = responses.post(f"{base}/auth/token", json=load("token_ccg"))
    responses.get(f"{base}/2.0/sign_requests", json=load("list_empty"))
    assert sync_account(account).state == SyncRun.State.SUCCEEDED
    assert len(token.calls) == 1


@responses.activate
def test_short_lived_tokens_are_not_renewed_before_every_call(box_account):
    account = box_account(credentials=CCG, options=NO_SHARED)
    token = responses.post(TOKEN_URL, json={**load("token_ccg"), "expires_in": 30})
    responses.get(LIST_URL, json=load("list_empty"), match=bearer("ccg-AT"))
    connector = account.connector()
    connector.check_connection()
    connector.check_connection()
    assert len(token.calls) == 1
