"""Token refresh on expired_token, rotation, races, ageing grants, needs-reconnect."""

import time
from urllib.parse import parse_qs, urlsplit

import responses

from signhub.core.models import ProviderAccount, SyncRun
from signhub.core.sync import sync_account

from .conftest import BASE, OAUTH_URL, PERSONAL_URL, SAFE_URL, load

EMPTY = load("empty_page")


def mysafe_only(account):
    account.options = {"lists": "mysafe"}
    account.save()


def test_expired_token_is_refreshed_rotated_and_the_call_retried(account, rsps):
    mysafe_only(account)
    rsps.post(SAFE_URL, status=401, json=load("error_expired_token"))
    rsps.post(SAFE_URL, json=load("mysafe_tail"))
    rsps.post(SAFE_URL, json=EMPTY)
    rsps.get(OAUTH_URL, json=load("token_refresh"))

    run = sync_account(account, full=True)

    assert run.state == "succeeded", run.error_message
    token_call = [c for c in rsps.calls if c.request.url.startswith(OAUTH_URL)]
    assert len(token_call) == 1
    query = parse_qs(urlsplit(token_call[0].request.url).query)
    assert query == {
        "grant_type": ["refresh_token"],
        "client_id": ["app.123"],
        "client_secret": ["s3cret"],
        "refresh_token": ["RT1"],
    }
    assert b'"auth": "NEWACCESSTOKEN0002"' in rsps.calls[-2].request.body
    creds = ProviderAccount.objects.get(pk=account.pk).credentials
    assert creds["access_token"] == "NEWACCESSTOKEN0002"
    assert creds["refresh_token"] == "NEWREFRESHTOKEN0002"
    assert creds["member_id"] == "a223c6b3710f85df22e9377d6c4f7553"
    assert creds["client_endpoint"] == "https://acme.bitrix24.com/rest/"
    assert abs(creds["refresh_token_issued_at"] - time.time()) < 60
    assert "domain" not in creds  # that is the OAuth server, not the portal


def test_a_second_worker_reuses_the_first_workers_refresh(account, rsps):
    rsps.get(OAUTH_URL, json=load("token_refresh"))
    first = ProviderAccount.objects.get(pk=account.pk).connector()
    second = ProviderAccount.objects.get(pk=account.pk).connector()  # loaded the old tokens

    first.auth.refresh()
    second.auth.refresh()

    assert len(rsps.calls) == 1  # the single-use refresh token was sent once
    assert second.credentials["access_token"] == "NEWACCESSTOKEN0002"
    assert second.credentials["refresh_token"] == "NEWREFRESHTOKEN0002"


def test_invalid_grant_marks_the_account_for_reconnect(account, rsps):
    mysafe_only(account)
    rsps.post(SAFE_URL, status=401, json=load("error_expired_token"))
    rsps.get(OAUTH_URL, status=400, json=load("error_invalid_grant"))

    run = sync_account(account, full=True)

    account.refresh_from_db()
    assert run.state == SyncRun.State.FAILED
    assert run.error_code == "invalid_grant"
    assert account.needs_reconnect
    assert "reconnect" in account.last_error
    assert len(rsps.calls) == 2  # no endless retries


def test_a_token_still_refused_after_refresh_needs_reconnect(account, rsps):
    mysafe_only(account)
    rsps.post(SAFE_URL, status=401, json=load("error_no_auth_found"))
    rsps.get(OAUTH_URL, json=load("token_refresh"))

    run = sync_account(account, full=True)

    account.refresh_from_db()
    assert run.state == SyncRun.State.FAILED
    assert account.needs_reconnect
    assert run.error_code == "NO_AUTH_FOUND"
    assert len([c for c in rsps.calls if c.request.url.startswith(SAFE_URL)]) == 2


def test_wrong_auth_type_explains_that_an_oauth_app_is_needed(account, rsps):
    mysafe_only(account)
    rsps.post(SAFE_URL, status=403, json=load("error_wrong_auth_type"))

    run = sync_account(account, full=True)

    account.refresh_from_db()
    assert account.needs_reconnect
    assert "OAuth" in run.error_message and "webhook" in run.error_message
    assert len(rsps.calls) == 1  # a refresh cannot fix it


def test_an_ageing_refresh_token_is_refreshed_before_the_first_call(account, rsps):
    mysafe_only(account)
    account.credentials = {
        **account.credentials,
        "refresh_token_issued_at": int(time.time()) - 151 * 86400,
    }
    account.save()
    rsps.get(OAUTH_URL, json=load("token_refresh"))
    rsps.post(SAFE_URL, json=EMPTY)

    assert sync_account(account, full=True).state == "succeeded"

    assert rsps.calls[0].request.url.startswith(OAUTH_URL)
    assert b"NEWACCESSTOKEN0002" in rsps.calls[1].request.body


def test_an_unknown_token_age_is_stamped_without_a_refresh(account, rsps):
    mysafe_only(account)
    creds = dict(account.credentials)
    del creds["refresh_token_issued_at"]
    account.credentials = creds
    account.save()
    rsps.post(SAFE_URL, json=EMPTY)

    assert sync_account(account, full=True).state == "succeeded"

    assert len(rsps.calls) == 1
    stored = ProviderAccount.objects.get(pk=account.pk).credentials
    assert abs(stored["refresh_token_issued_at"] - time.time()) < 60
    assert stored["refresh_token"] == "RT1"


def test_no_access_token_means_refresh_first_at_the_configured_oauth_url(account, rsps):
    account.options = {"lists": "personal", "oauth_url": "/custom/oauth/token/"}
    creds = dict(account.credentials)
    del creds["access_token"]
    account.credentials = creds
    account.save()
    rsps.get(f"{BASE}/custom/oauth/token/", json=load("token_refresh"))
    rsps.post(PERSONAL_URL, json=EMPTY)

    assert sync_account(account, full=True).state == "succeeded"
    assert rsps.calls[0].request.url.startswith(f"{BASE}/custom/oauth/token/")


def test_a_failing_token_server_is_not_a_reconnect(account, rsps, settings):
    settings.SIGNHUB_HTTP_MAX_ATTEMPTS = 3
    mysafe_only(account)
    rsps.post(SAFE_URL, status=401, json=load("error_expired_token"))
    rsps.get(OAUTH_URL, status=502, body="Bad gateway")

    run = sync_account(account, full=True)

    account.refresh_from_db()
    assert run.state == "failed"
    assert not account.needs_reconnect
    assert "gave up after 3 attempts" in run.error_message


def test_token_values_never_reach_the_error_message(account, rsps):
    mysafe_only(account)
    rsps.post(SAFE_URL, status=401, json=load("error_expired_token"))
    rsps.get(OAUTH_URL, status=400, json=load("error_invalid_grant"))
    run = sync_account(account, full=True)
    for secret in ("RT1", "AT1", "s3cret"):
        assert secret not in run.error_message


@responses.activate
def test_check_connection_reports_the_portal(account):
    responses.post(PERSONAL_URL, json=load("personal_tail"))
    message = account.connector().check_connection()
    assert "acme.bitrix24.com" in message
