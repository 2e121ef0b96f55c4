"""API key and client-credentials auth: tokens stored before use, refresh on 401, reconnect."""

import json
import threading
import time
from urllib.parse import parse_qs

import pytest
import responses

from signhub.core.models import ProviderAccount
from signhub.core.sync import sync_account

from .conftest import LIST_URL, TOKEN_URL, fixture, page_body, row

OK = page_body([row(1)], 1)


@responses.activate
def test_a_rejected_api_key_needs_reconnect_and_names_the_region(api_key_account):
    responses.get(LIST_URL, status=401, json=fixture("error_401.json"))
    account = api_key_account()
    run = sync_account(account)
    assert run.state == "failed" and run.error_code == "unauthorized"
    assert "check the region" in run.error_message and "'us'" in run.error_message
    assert "key-123" not in run.error_message
    account.refresh_from_db()
    assert account.needs_reconnect
    assert len(responses.calls) == 1  # an API key cannot be refreshed: no retry loop


@responses.activate
def test_client_credentials_token_is_fetched_stored_and_sent(oauth_account):
    token_call = responses.post(TOKEN_URL, json=fixture("token.json"))
    responses.get(LIST_URL, json=OK)
    account = oauth_account()
    run = sync_account(account)
    assert run.state == "succeeded", run.error_message
    form = parse_qs(token_call.calls[0].request.body)
    assert form["grant_type"] == ["client_credentials"]
    assert form["client_id"] == ["cid"] and form["client_secret"] == ["csecret"]
    assert responses.calls[1].request.headers["Authorization"] == "Bearer eyJhbGciOi.fresh-token"
    stored = ProviderAccount.objects.get(pk=account.pk).credentials
    assert stored["access_token"] == "eyJhbGciOi.fresh-token"
    assert stored["token_expires_at"] > time.time() + 3000
    assert stored["client_secret"] == "csecret"


@responses.activate
def test_a_stored_token_is_reused_until_it_expires(oauth_account):
    token_call = responses.post(TOKEN_URL, json=fixture("token.json"))
    responses.get(LIST_URL, json=OK)
    account = oauth_account()
    account.credentials = {**account.credentials, "access_token": "still-good",
                           "token_expires_at": int(time.time()) + 1800}  # fmt: skip
    account.save(update_fields=["credentials"])
    assert sync_account(account).state == "succeeded"
    assert token_call.call_count == 0
    account.credentials = {**account.credentials, "token_expires_at": int(time.time()) - 1}
    account.save(update_fields=["credentials"])
    assert sync_account(account).state == "succeeded"
    assert token_call.call_count == 1  # expired: renewed before the call


@responses.activate
def test_a_401_with_oauth_gets_a_new_token_and_retries(oauth_account):
    responses.post(TOKEN_URL, json=fixture("token.json"))
    responses.get(LIST_URL, status=401, json=fixture("error_401.json"))
    responses.get(LIST_URL, json=OK)
    account = oauth_account()
    account.credentials = {**account.credentials, "access_token": "revoked",
                           "token_expires_at": int(time.time()) + 1800}  # fmt: skip
    account.save(update_fields=["credentials"])
    run = sync_account(account)
    assert run.state == "succeeded", run.error_message
    assert [c.request.headers.get("Authorization") for c in responses.calls[::2]] == [
        "Bearer revoked", "Bearer eyJhbGciOi.fresh-token"
    ]  # fmt: skip
    account.refresh_from_db()
    assert account.credentials["access_token"] == "eyJhbGciOi.fresh-token"


@responses.activate
def test_a_401_after_a_new_token_needs_reconnect(oauth_account):
    responses.post(TOKEN_URL, json=fixture("token.json"))
    responses.get(LIST_URL, status=401, json=fixture("error_401.json"))
    account = oauth_account()
    run = sync_account(account)
    assert run.state == "failed" and "check the region" in run.error_message
    account.refresh_from_db()
    assert account.needs_reconnect
    assert len(responses.calls) == 4  # token, 401, token, 401 — then stop


@responses.activate
def test_a_rejected_client_secret_needs_reconnect(oauth_account):
    responses.post(TOKEN_URL, status=400, json=fixture("error_invalid_client.json"))
    account = oauth_account()
    run = sync_account(account)
    assert run.state == "failed"
    assert "client ID/secret" in run.error_message and "invalid_client" in run.error_message
    assert "csecret" not in run.error_message
    account.refresh_from_db()
    assert account.needs_reconnect


@responses.activate
def test_the_token_url_option_and_a_simulator_base_url_are_honoured(make_account):
    responses.post("http://127.0.0.1:9/bs/connect/token", json=fixture("token.json"))
    responses.get("http://127.0.0.1:9/bs/v1/document/list", json=OK)
    account = make_account("boldsign", base_url="http://127.0.0.1:9/bs",
                           credentials={"client_id": "c", "client_secret": "s"},
                           options={"lists": "list"})  # fmt: skip
    assert sync_account(account).state == "succeeded"


@responses.activate
def test_team_list_without_admin_rights_says_what_to_do(api_key_account):
    responses.get("https://api.boldsign.com/v1/document/teamlist", status=403,
                  json=fixture("error_403_team.json"))  # fmt: skip
    run = sync_account(api_key_account(lists="team"))
    assert run.state == "failed" and "remove 'team'" in run.error_message


@pytest.mark.django_db(transaction=True)
def test_two_workers_refreshing_at_once_fetch_one_token(oauth_account):
    account = oauth_account()
    calls = []
    gate = threading.Event()

    with responses.RequestsMock() as rsps:

        def token(request):
            calls.append(1)
            gate.wait(1)  # hold the first refresh so the second worker queues behind it
            return 200, {}, json.dumps({"access_token": f"T{len(calls)}", "expires_in": 3600})

        rsps.add_callback("POST", TOKEN_URL, callback=token, content_type="application/json")

        def worker(out):
            from django.db import connections

            try:
                connector = ProviderAccount.objects.get(pk=account.pk).connector()
                out.append(connector.client.auth.headers()["Authorization"])
            finally:
                connections.close_all()

        results: list[str] = []
        threads = [threading.Thread(target=worker, args=(results,)) for _ in range(2)]
        for t in threads:
            t.start()
        time.sleep(0.2)
        gate.set()
        for t in threads:
            t.join(5)
    assert len(calls) == 1
    assert results == ["Bearer T1", "Bearer T1"]
    assert ProviderAccount.objects.get(pk=account.pk).credentials["access_token"] == "T1"
