"""Connect with BoldSign: authorization code with PKCE (S256), then refresh tokens.

The authorization server is a loopback fake on authlib's server classes that requires PKCE:
the code is single use, bound to redirect_uri and to the S256 challenge. BoldSign's API is
mocked with responses (the fake's own URL passes through).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from signhub.core.models import ProviderAccount, SignedDocument
from signhub.core.sync import sync_account
from tests.oauth_provider import FakeOAuthProvider

from .conftest import BASE, LIST_URL, page_body, row

pytestmark = pytest.mark.django_db
SCOPE = "openid profile email offline_access BoldSign.Documents.All"


@pytest.fixture
def provider():
    with FakeOAuthProvider(require_pkce=True) as fake:
        yield fake


def waiting(make_account, **options):
    return make_account(
        "boldsign",
        credentials={"client_id": "cid", "client_secret": "csecret"},
        options={"lists": "list", **options},
        base_url=options.pop("base_url", BASE),
        awaiting_connect=True,
    )


@pytest.mark.parametrize(
    ("region", "host"),
    [("", "account.boldsign.com"), ("eu", "account-eu.boldsign.com")],
)
def test_connect_goes_to_the_regions_authorize_page_with_pkce(
    staff_client, make_account, region, host
):
    base = {"": BASE, "eu": "https://api-eu.boldsign.com"}[region]
    account = make_account(
        "boldsign",
        credentials={"client_id": "cid", "client_secret": "cs"},
        options={"region": region} if region else {},
        base_url=base,
        awaiting_connect=True,
    )
    location = urlsplit(staff_client.get(f"/connect/{account.endpoint_key}/")["Location"])
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        f"https://{host}/connect/authorize"
    )
    assert query["response_type"] == "code" and query["client_id"] == "cid"
    assert query["scope"] == SCOPE
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["redirect_uri"] == f"http://testserver/connect/{account.endpoint_key}/callback/"


@responses.activate
def test_connect_with_boldsign_end_to_end_then_refresh_on_401(staff_client, make_account, provider):
    responses.add_passthru(provider.url)
    account = waiting(
        make_account, authorize_url=f"{provider.url}/authorize", token_url=f"{provider.url}/token"
    )
    callback = f"http://testserver/connect/{account.endpoint_key}/callback/"
    provider.add_client("cid", "csecret", redirect_uris=[callback])
    start = staff_client.get(f"/connect/{account.endpoint_key}/")
    back = urlsplit(provider.decide(start["Location"]))
    assert staff_client.get(f"{back.path}?{back.query}").status_code == 302

    exchange = provider.token_requests[-1]
    assert exchange["grant_type"] == "authorization_code"
    assert exchange["redirect_uri"] == callback and len(exchange["code_verifier"]) >= 43
    account.refresh_from_db()
    assert account.connection_state == "connected"
    first = dict(account.credentials)
    assert first["access_token"] in provider.by_access and first["refresh_token"]

    # BoldSign rejects the access token once: the refresh token buys a new pair.
    responses.get(LIST_URL, status=401, json={"error": "Unauthorized"})
    responses.get(LIST_URL, json=page_body([row(1)], 1))
    run = sync_account(account)
    assert run.state == "succeeded", run.error_message
    refresh = provider.token_requests[-1]
    assert refresh["grant_type"] == "refresh_token"
    assert refresh["refresh_token"] == first["refresh_token"]
    account.refresh_from_db()
    assert account.credentials["refresh_token"] != first["refresh_token"]  # rotated
    assert responses.calls[-1].request.headers["Authorization"] == (
        f"Bearer {account.credentials['access_token']}"
    )
    assert SignedDocument.objects.filter(account=account).count() == 1


@responses.activate
def test_a_refused_refresh_token_needs_reconnect(make_account, provider):
    responses.add_passthru(provider.url)
    provider.add_client("cid", "csecret")
    account = make_account(
        "boldsign",
        credentials={"client_id": "cid", "client_secret": "csecret",
                     "access_token": "old", "refresh_token": "rt-REVOKED-123"},
        options={"lists": "list", "token_url": f"{provider.url}/token"},
        base_url=BASE,
    )  # fmt: skip
    responses.get(LIST_URL, status=401, json={"error": "Unauthorized"})
    run = sync_account(account)
    assert run.state == "failed" and run.error_code == "token_refused"
    assert "Connect with BoldSign" in run.error_message
    account.refresh_from_db()
    assert account.connection_state == "needs_reconnect"
    assert "rt-REVOKED-123" not in run.error_message


def test_the_grant_type_option_is_validated(db):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="grant_type") as exc:
        call_command(
            "add_account", "boldsign", "--name", "x", "--credential", "client_id=c",
            "--credential", "client_secret=s", "--option", "grant_type=password",
        )  # fmt: skip
    assert exc.value.returncode == 2
    assert not ProviderAccount.objects.exists()
