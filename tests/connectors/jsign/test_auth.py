"""Token refresh, rotation, login fallback, racing workers and needs-reconnect."""

from __future__ import annotations

import base64
import json
import threading

import pytest
import responses

from signhub.connectors.jsign import auth
from signhub.core.errors import ConnectorError
from signhub.core.models import ProviderAccount, SyncRun
from signhub.core.sync import sync_account

from .conftest import API, calls_to, list_page, load

pytestmark = pytest.mark.django_db
LOGIN = {"api_key": "key", "api_secret": "s3cret", "email": "hr@example.com", "password": "pw"}


def expired_then_ok(mock) -> None:
    list_page(mock, 1, load("error_token_expired.json"), status=401)
    list_page(mock, 1, load("list_empty.json"))


def test_an_expired_token_is_refreshed_stored_and_used(account, rsps):
    expired_then_ok(rsps)
    rsps.post(f"{API}/authorization/refresh_token", json=load("refresh.json"))
    run = sync_account(account, full=True)
    assert run.state == SyncRun.State.SUCCEEDED, run.error_message
    (refresh,) = calls_to(rsps, "/authorization/refresh_token")
    assert json.loads(refresh.request.body)["refresh_token"] == "old-refresh"
    assert json.loads(refresh.request.body)["access_token"] == "old-access"  # the expired one
    assert refresh.request.headers["app_auth_type"] == "jsign-oauth2"
    retry = calls_to(rsps, "/envelopes/list")[-1]
    assert retry.request.headers["Authorization"] == "Bearer new-access"
    account.refresh_from_db()
    assert account.credentials["access_token"] == "new-access"
    assert account.credentials["refresh_token"] == "new-refresh"  # rotated
    assert account.credentials["expires_in"] == 4102444800  # absolute, stored as sent


def test_a_token_past_its_absolute_expiry_is_renewed_before_the_call(account, rsps):
    account.credentials = {**account.credentials, "expires_in": 1_000_000_000}  # 2001
    account.save()
    rsps.post(f"{API}/authorization/refresh_token", json=load("refresh.json"))
    list_page(rsps, 1, load("list_empty.json"))
    run = sync_account(account, full=True)
    assert run.state == SyncRun.State.SUCCEEDED
    assert [c.request.url.rsplit("/", 1)[-1] for c in rsps.calls] == ["refresh_token", "list"]
    assert rsps.calls[1].request.headers["Authorization"] == "Bearer new-access"


def test_a_refresh_answer_without_data_wrapper_is_accepted(account, rsps):
    expired_then_ok(rsps)
    rsps.post(f"{API}/authorization/refresh_token", json=load("refresh.json")["data"])
    assert sync_account(account, full=True).state == SyncRun.State.SUCCEEDED


def test_a_rejected_refresh_falls_back_to_an_api_key_login(account, rsps):
    account.credentials = {**account.credentials, **LOGIN}
    account.save()
    expired_then_ok(rsps)
    rsps.post(
        f"{API}/authorization/refresh_token", json=load("error_refresh_required.json"), status=400
    )
    rsps.post(f"{API}/authorization/token", json=load("login.json"))
    run = sync_account(account, full=True)
    assert run.state == SyncRun.State.SUCCEEDED, run.error_message
    (login,) = calls_to(rsps, "/authorization/token")
    expected = base64.b64encode(b"key:s3cret").decode()
    assert login.request.headers["Authorization"] == f"Basic {expected}"
    assert json.loads(login.request.body) == {"email": "hr@example.com", "password": "pw"}
    account.refresh_from_db()
    assert account.credentials["access_token"] == "login-access"
    assert account.credentials["api_key"] == "key"  # the login set is kept


def test_login_only_credentials_log_in_first(make_account, rsps):
    acct = make_account("jsign", base_url="https://api.jsign.test", credentials=dict(LOGIN))
    rsps.post(f"{API}/authorization/token", json=load("login.json"))
    list_page(rsps, 1, load("list_empty.json"))
    assert sync_account(acct, full=True).state == SyncRun.State.SUCCEEDED
    assert rsps.calls[1].request.headers["Authorization"] == "Bearer login-access"


def test_an_auth_failure_nothing_can_fix_flags_the_account(account, rsps):
    list_page(rsps, 1, load("error_unauthorized.json"), status=401)
    rsps.post(
        f"{API}/authorization/refresh_token", json=load("error_token_expired.json"), status=401
    )
    run = sync_account(account, full=True)
    assert run.state == SyncRun.State.FAILED
    assert run.error_code == "needs_reconnect"
    assert "administrator must reconnect" in run.error_message
    assert "old-refresh" not in run.error_message and "old-access" not in run.error_message
    account.refresh_from_db()
    assert account.needs_reconnect
    assert len(calls_to(rsps, "/authorization/refresh_token")) == 1  # not retried forever


def test_a_login_refused_flags_the_account(make_account, rsps):
    acct = make_account("jsign", base_url="https://api.jsign.test", credentials=dict(LOGIN))
    rsps.post(f"{API}/authorization/token", json=load("error_unauthorized.json"), status=401)
    run = sync_account(acct, full=True)
    assert run.state == SyncRun.State.FAILED
    assert "API key/secret" in run.error_message
    assert "s3cret" not in run.error_message
    acct.refresh_from_db()
    assert acct.needs_reconnect


def test_a_token_rejected_even_after_refresh_needs_reconnect(account, rsps):
    list_page(rsps, 1, load("error_token_expired.json"), status=401)
    rsps.post(f"{API}/authorization/refresh_token", json=load("refresh.json"))
    with pytest.raises(ConnectorError) as caught:
        account.connector().client.list_envelopes(1, 100)
    assert caught.value.needs_reconnect
    assert len(calls_to(rsps, "/envelopes/list")) <= 3


def test_a_second_worker_uses_the_first_workers_refresh(account, rsps):
    """Two connectors loaded with the same (stale) tokens: only one refresh is sent."""
    rsps.post(f"{API}/authorization/refresh_token", json=load("refresh.json"))
    first = account.connector()
    second = ProviderAccount.objects.get(pk=account.pk).connector()
    first.auth.renew()
    second.auth.renew()
    assert len(calls_to(rsps, "/authorization/refresh_token")) == 1
    assert second.credentials["access_token"] == "new-access"
    assert second.auth.last_method == "concurrent"


@pytest.mark.django_db(transaction=True)
def test_two_threads_refreshing_at_once_send_one_refresh(account):
    with responses.RequestsMock() as mock:
        mock.post(f"{API}/authorization/refresh_token", json=load("refresh.json"))
        connectors = [ProviderAccount.objects.get(pk=account.pk).connector() for _ in range(2)]
        barrier = threading.Barrier(2)
        errors = []

        def work(connector):
            try:
                barrier.wait()
                connector.auth.renew()
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                from django.db import connection

                connection.close()

        threads = [threading.Thread(target=work, args=(c,)) for c in connectors]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert len(mock.calls) == 1
        assert {c.credentials["refresh_token"] for c in connectors} == {"new-refresh"}


def test_expires_in_is_read_as_absolute_time(monkeypatch):
    monkeypatch.setattr(auth, "now", lambda: 2_000_000_000.0)
    assert auth.parse_expiry(2_000_003_600) == 2_000_003_600
    assert auth.parse_expiry("2000003600") == 2_000_003_600
    assert auth.parse_expiry(14400) == 2_000_014_400  # a duration, tolerated
    assert auth.parse_expiry(None) is None
    assert auth.is_expired({"expires_in": 2_000_000_030})  # inside the safety margin
    assert not auth.is_expired({"expires_in": 2_000_003_600})
    # A 30 s token obtained just now is not renewed on every call (margin = 3 s).
    assert not auth.is_expired({"expires_in": 2_000_000_030, "obtained_at": 2_000_000_000})
    assert auth.is_expired({"expires_in": 2_000_000_002, "obtained_at": 1_999_999_972})
