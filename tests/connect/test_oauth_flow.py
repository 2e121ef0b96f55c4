"""The OAuth connect flow end to end against a loopback authorization server (authlib)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from signhub.connect import oauth
from signhub.connect.flows import flow_for
from signhub.connect.models import ConnectState
from signhub.core.errors import ConnectorError
from signhub.core.models import AuditEvent, SignedDocument
from signhub.core.sync import sync_account

from .conftest import CLIENT_ID

pytestmark = pytest.mark.django_db


def start(client, account) -> str:
    response = client.get(f"/connect/{account.endpoint_key}/")
    assert response.status_code == 302, response.content
    return response["Location"]


def back_to_signhub(location: str) -> str:
    """The provider's redirect to the callback, as a path the test client can GET."""
    parts = urlsplit(location)
    assert parts.netloc == "testserver"
    return f"{parts.path}?{parts.query}"


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_connect_sends_the_admin_to_the_consent_screen_with_state_scope_and_pkce(
    staff_client, account, provider
):
    location = start(staff_client, account)
    parts = urlsplit(location)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert location.startswith(f"{provider.url}/authorize?")
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == f"http://testserver/connect/{account.endpoint_key}/callback/"
    assert query["scope"] == "documents.read offline_access"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 40
    row = ConnectState.objects.get()
    assert row.digest != query["state"]  # only a digest is stored
    assert row.expires_at - row.created_at == timedelta(minutes=10)


def test_approving_stores_the_tokens_encrypted_and_the_account_syncs(
    staff_client, account, provider
):
    location = provider.decide(start(staff_client, account))
    response = staff_client.get(back_to_signhub(location))

    assert response.status_code == 302
    assert response["Location"] == f"/admin/core/provideraccount/{account.pk}/change/"
    assert any("connected with Fake OAuth" in m for m in messages_of(response))
    account.refresh_from_db()
    assert account.connection_state == "connected"
    assert account.connected_at is not None
    assert account.credentials["access_token"] in provider.by_access
    assert account.credentials["refresh_token"].startswith("rt-")
    assert account.credentials["client_id"] == CLIENT_ID  # kept beside the tokens
    # The exchange sent the PKCE verifier and the same redirect_uri (authlib's server
    # checked both); tokens are not readable in the database.
    exchange = provider.token_requests[-1]
    assert exchange["grant_type"] == "authorization_code"
    assert exchange["code_verifier"]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM core_provideraccount WHERE id = %s", [account.pk])
        stored = cursor.fetchone()[0]
    assert account.credentials["access_token"] not in stored

    run = sync_account(account)
    assert run.state == "succeeded", run.error_message
    assert set(SignedDocument.objects.values_list("title", flat=True)) == {"Offer letter", "NDA"}
    assert AuditEvent.objects.filter(action="account_connect", result="ok").exists()


def test_a_reused_state_is_refused_and_nothing_is_stored(staff_client, account, provider):
    path = back_to_signhub(provider.decide(start(staff_client, account)))
    assert staff_client.get(path).status_code == 302
    account.refresh_from_db()
    first = dict(account.credentials)

    again = staff_client.get(path)
    assert again.status_code == 400
    assert "already used" in again.content.decode()
    account.refresh_from_db()
    assert account.credentials == first


def test_an_unknown_or_missing_state_is_refused(staff_client, account, provider):
    provider.decide(start(staff_client, account))
    for query in ("?code=x&state=forged-state-value", "?code=x"):
        response = staff_client.get(f"/connect/{account.endpoint_key}/callback/{query}")
        assert response.status_code == 400
    account.refresh_from_db()
    assert account.connection_state == "waiting"
    assert "access_token" not in account.credentials
    assert provider.token_requests == []  # nothing was exchanged


def test_an_expired_state_is_refused(staff_client, account, provider):
    path = back_to_signhub(provider.decide(start(staff_client, account)))
    ConnectState.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = staff_client.get(path)
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    account.refresh_from_db()
    assert account.awaiting_connect


def test_a_state_is_bound_to_the_session_that_started_it(
    staff_client, account, provider, django_user_model
):
    path = back_to_signhub(provider.decide(start(staff_client, account)))
    other = Client()
    other.force_login(django_user_model.objects.create_superuser("eve", "e@example.com", "pw"))
    response = other.get(path)
    assert response.status_code == 400
    assert "another browser session" in response.content.decode()
    assert Client().get(path).status_code == 400  # anonymous
    account.refresh_from_db()
    assert account.awaiting_connect
    assert provider.token_requests == []


def test_a_state_is_bound_to_the_account(staff_client, account, provider, make_account):
    other = make_account("fakeoauth", name="other", base_url=provider.url)
    path = back_to_signhub(provider.decide(start(staff_client, account)))
    forged = path.replace(account.endpoint_key, other.endpoint_key)
    assert staff_client.get(forged).status_code == 400


def test_denied_consent_explains_and_stores_nothing(staff_client, account, provider):
    location = provider.decide(start(staff_client, account), approve=False)
    assert "error=access_denied" in location
    response = staff_client.get(back_to_signhub(location))
    assert response.status_code == 302
    words = " ".join(messages_of(response))
    assert "access was not granted" in words and "Nothing was changed" in words
    account.refresh_from_db()
    assert account.connection_state == "waiting"
    assert "access_token" not in account.credentials
    assert provider.token_requests == []


def test_a_failed_exchange_is_shown_on_the_account_page(staff_client, account, provider):
    path = back_to_signhub(provider.decide(start(staff_client, account)))
    provider.token_failure = (401, {"error": "invalid_client", "error_description": "Bad secret"})
    response = staff_client.get(path)
    assert response.status_code == 302
    words = " ".join(messages_of(response))
    assert "connecting failed" in words and "invalid_client" in words and "Bad secret" in words
    assert "app-secret-value" not in words
    account.refresh_from_db()
    assert account.awaiting_connect and "access_token" not in account.credentials
    follow = staff_client.get(response["Location"])
    assert "invalid_client" in follow.content.decode()


def test_a_server_error_at_the_token_endpoint_is_not_retried(staff_client, account, provider):
    path = back_to_signhub(provider.decide(start(staff_client, account)))
    provider.token_failure = (503, {"error": "temporarily_unavailable"})
    response = staff_client.get(path)
    assert "connecting failed" in " ".join(messages_of(response))
    assert len(provider.token_requests) == 1  # a code is single use: one attempt only


def test_a_code_used_twice_is_refused_by_the_provider(staff_client, account, provider):
    first = back_to_signhub(provider.decide(start(staff_client, account)))
    second = back_to_signhub(provider.decide(start(staff_client, account)))
    code = parse_qs(urlsplit(first).query)["code"][0]
    state_two = parse_qs(urlsplit(second).query)["state"][0]
    assert staff_client.get(first).status_code == 302  # spends the code
    account.refresh_from_db()
    tokens = dict(account.credentials)

    # The first code again, with a fresh valid state: signhub exchanges it, the provider
    # refuses (single use), and nothing changes.
    replay = f"/connect/{account.endpoint_key}/callback/?code={code}&state={state_two}"
    response = staff_client.get(replay)
    assert "invalid_grant" in " ".join(messages_of(response))
    assert ("code_reused", code) in provider.events
    account.refresh_from_db()
    assert account.credentials == tokens


def test_codes_are_bound_to_redirect_uri_and_verifier_and_expire(account, provider):
    flow = flow_for(account)
    app = flow.app()
    redirect = f"http://testserver/connect/{account.endpoint_key}/callback/"

    def code_for(verifier: str) -> str:
        url = oauth.authorization_url(
            flow, app, state="s" * 20, redirect_uri=redirect, code_verifier=verifier
        )
        return parse_qs(urlsplit(provider.decide(url)).query)["code"][0]

    verifier = oauth.new_code_verifier()
    with pytest.raises(ConnectorError, match="invalid_grant"):
        oauth.exchange_code(
            flow, app, code_for(verifier), redirect_uri=redirect + "x", code_verifier=verifier
        )
    with pytest.raises(ConnectorError, match="invalid_grant"):
        oauth.exchange_code(
            flow, app, code_for(verifier), redirect_uri=redirect, code_verifier="w" * 64
        )
    with pytest.raises(ConnectorError, match="invalid_request"):
        oauth.exchange_code(
            flow, app, code_for(verifier), redirect_uri=redirect, code_verifier=None
        )
    code = code_for(verifier)
    real_clock = provider.clock
    provider.clock = lambda: real_clock() + 31
    with pytest.raises(ConnectorError, match="invalid_grant"):
        oauth.exchange_code(flow, app, code, redirect_uri=redirect, code_verifier=verifier)
    provider.clock = real_clock
    token = oauth.exchange_code(
        flow, app, code_for(verifier), redirect_uri=redirect, code_verifier=verifier
    )
    assert token["access_token"].startswith("at-")


def test_only_administrators_start_a_connect(client, account, django_user_model):
    anonymous = client.get(f"/connect/{account.endpoint_key}/")
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    reviewer = django_user_model.objects.create_user("rev", "r@example.com", "pw")
    client.force_login(reviewer)
    assert client.get(f"/connect/{account.endpoint_key}/").status_code == 403
    assert client.get("/connect/not-a-key/").status_code == 404
    assert ConnectState.objects.count() == 0


def test_missing_client_credentials_are_named_before_leaving(staff_client, account):
    account.credentials = {"client_id": CLIENT_ID}
    account.save()
    response = staff_client.get(f"/connect/{account.endpoint_key}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/")
    assert "client_secret" in " ".join(messages_of(response))


def test_a_connect_wins_over_a_token_refresh_in_flight(account):
    """A refresh that started before the connect must not write the old grant back."""
    from signhub.connect.flows import Grant
    from signhub.connect.store import store_grant
    from signhub.core import credentials

    account.credentials = {**account.credentials, "refresh_token": "old-rt"}
    account.save()
    stale = type(account).objects.get(pk=account.pk)

    def slow_refresh(current):
        store_grant(account, Grant({"access_token": "new-at", "refresh_token": "new-rt"}))
        return {"access_token": "from-old-grant", "refresh_token": "old-rt-2"}

    credentials.rotate(stale, slow_refresh)
    account.refresh_from_db()
    assert account.credentials["access_token"] == "new-at"
    assert account.credentials["refresh_token"] == "new-rt"
