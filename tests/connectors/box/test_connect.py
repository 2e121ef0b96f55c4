"""Connecting Box: Connect with Box (authorization code), JWT from the app's config JSON,
and reading every managed user's requests with As-User.

The token endpoint is a real loopback authorization server (tests.oauth_provider, built on
authlib): it issues single-use codes and verifies the JWT assertion's RS256 signature with
the app's registered public key. Box's API (sign requests, users) is mocked with responses.
"""

from __future__ import annotations

import json
import time
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.management import call_command
from django.core.management.base import CommandError
from responses import matchers

from signhub.core.models import ProviderAccount, SignedDocument
from signhub.core.sync import sync_account
from tests.oauth_provider import FakeOAuthProvider

from .helpers import BASE, LIST_URL, load

pytestmark = pytest.mark.django_db
USERS_URL = f"{BASE}/2.0/users"


def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def config_json(key, *, passphrase="s3cret-pass", enterprise="4242", key_id="kid-1") -> str:
    encryption = (
        serialization.BestAvailableEncryption(passphrase.encode())
        if passphrase
        else serialization.NoEncryption()
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    ).decode()
    return json.dumps(
        {
            "boxAppSettings": {
                "clientID": "jwt-app",
                "clientSecret": "jwt-secret",
                "appAuth": {"publicKeyID": key_id, "privateKey": pem, "passphrase": passphrase},
            },
            "enterpriseID": enterprise,
        }
    )


def public_pem(key) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def add_account(*args) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("add_account", "box", *args, stdout=out, stderr=err)
        return 0, out.getvalue(), err.getvalue()
    except CommandError as exc:  # manage.py prints it on stderr and exits with its returncode
        return exc.returncode, out.getvalue(), f"{err.getvalue()}CommandError: {exc}\n"


@pytest.fixture
def provider():
    with FakeOAuthProvider() as fake:
        yield fake


# -- Connect with Box --------------------------------------------------------------------


def test_client_id_and_secret_alone_make_an_account_waiting_for_connect(settings):
    settings.SIGNHUB_PUBLIC_URL = "https://signhub.example.com"
    code, out, err = add_account(
        "--name", "hr-box", "--credential", "client_id=cid", "--credential", "client_secret=cs"
    )
    assert code == 0, err
    account = ProviderAccount.objects.get(pk=int(out))
    assert account.connection_state == "waiting"
    info = StringIO()
    call_command("connect_info", "hr-box", stdout=info)
    lines = dict(line.split(": ", 1) for line in info.getvalue().splitlines())
    key = account.endpoint_key
    assert lines == {
        "state": "waiting",
        "connect_url": f"https://signhub.example.com/connect/{key}/",
        "redirect_uri": f"https://signhub.example.com/connect/{key}/callback/",
        "webhook_url": f"https://signhub.example.com/webhooks/{key}/",
    }
    run = sync_account(account)
    assert run.state == "skipped" and "not connected yet" in run.error_message


def test_connect_url_goes_to_box_s_authorize_page(staff_client, make_account):
    account = make_account(
        "box", credentials={"client_id": "cid", "client_secret": "cs"}, awaiting_connect=True
    )
    response = staff_client.get(f"/connect/{account.endpoint_key}/")
    location = urlsplit(response["Location"])
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        "https://account.box.com/api/oauth2/authorize"
    )
    assert query["response_type"] == "code" and query["client_id"] == "cid"
    assert query["redirect_uri"] == f"http://testserver/connect/{account.endpoint_key}/callback/"
    assert query["state"]


@pytest.fixture
def oauth_app(make_account, provider):
    """A Box OAuth 2.0 app waiting to be connected, its endpoints on the fake provider."""
    account = make_account(
        "box",
        credentials={"client_id": "cid", "client_secret": "cs"},
        options={
            "authorize_url": f"{provider.url}/authorize",
            "token_url": f"{provider.url}/token",
        },
        awaiting_connect=True,
    )
    callback = f"http://testserver/connect/{account.endpoint_key}/callback/"
    provider.add_client("cid", "cs", redirect_uris=[callback])
    return account


@responses.activate
def test_connect_with_box_end_to_end_then_sync(staff_client, oauth_app, provider):
    responses.add_passthru(provider.url)
    account = oauth_app
    callback = f"http://testserver/connect/{account.endpoint_key}/callback/"
    start = staff_client.get(f"/connect/{account.endpoint_key}/")
    back = urlsplit(provider.decide(start["Location"]))
    assert staff_client.get(f"{back.path}?{back.query}").status_code == 302

    account.refresh_from_db()
    assert account.connection_state == "connected"
    token = account.credentials["access_token"]
    assert token in provider.by_access
    assert account.credentials["refresh_token"].startswith("rt-")
    assert account.credentials["access_token_renew_at"] > time.time() + 3000
    assert provider.token_requests[-1]["redirect_uri"] == callback

    responses.get(
        LIST_URL,
        json=load("list_last_page"),
        match=[matchers.header_matcher({"Authorization": f"Bearer {token}"})],
    )
    run = sync_account(account)
    assert run.state == "succeeded", run.error_message
    assert SignedDocument.objects.filter(account=account).count() == len(
        load("list_last_page")["entries"]
    )


def test_denied_box_consent_stores_nothing(staff_client, oauth_app, provider):
    account = oauth_app
    start = staff_client.get(f"/connect/{account.endpoint_key}/")
    back = urlsplit(provider.decide(start["Location"], approve=False))
    staff_client.get(f"{back.path}?{back.query}")
    account.refresh_from_db()
    assert account.connection_state == "waiting"
    assert set(account.credentials) == {"client_id", "client_secret"}


# -- JWT -------------------------------------------------------------------------------


@responses.activate
def test_jwt_config_buys_a_token_with_a_verified_assertion(provider, tmp_path):
    responses.add_passthru(provider.url)
    key = rsa_key()
    provider.add_client("jwt-app", "jwt-secret", jwt_public_key=public_pem(key), jwt_key_id="kid-1")
    path = tmp_path / "config.json"
    path.write_text(config_json(key))
    code, out, err = add_account(
        "--name", "jwt", "--credential-file", f"jwt_config={path}",
        "--option", f"token_url={provider.url}/token",
    )  # fmt: skip
    assert code == 0, err
    account = ProviderAccount.objects.get(pk=int(out))
    assert account.connection_state == "connected"
    responses.get(LIST_URL, json=load("list_last_page"))

    run = sync_account(account)
    assert run.state == "succeeded", run.error_message
    claims = provider.assertions[-1]
    assert claims["iss"] == "jwt-app" and claims["sub"] == "4242"
    assert claims["box_sub_type"] == "enterprise"
    assert claims["aud"] == "https://api.box.com/oauth2/token"
    assert 16 <= len(claims["jti"]) <= 128
    assert claims["exp"] - time.time() <= 60
    sent = provider.token_requests[-1]
    assert sent["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    assert sent["client_id"] == "jwt-app" and sent["client_secret"] == "jwt-secret"
    assert jwt.get_unverified_header(sent["assertion"]) == {
        "alg": "RS256",
        "kid": "kid-1",
        "typ": "JWT",
    }
    account.refresh_from_db()
    assert account.credentials["access_token"] in provider.by_access


@responses.activate
def test_jwt_subject_options_override_the_config(provider, make_account):
    responses.add_passthru(provider.url)
    key = rsa_key()
    provider.add_client("jwt-app", "jwt-secret", jwt_public_key=public_pem(key), jwt_key_id="kid-1")
    account = make_account(
        "box",
        credentials={"jwt_config": config_json(key)},
        options={
            "subject_type": "user",
            "subject_id": "9001",
            "token_url": f"{provider.url}/token",
        },
    )
    responses.get(LIST_URL, json=load("list_last_page"))
    assert sync_account(account).state == "succeeded"
    assert provider.assertions[-1]["sub"] == "9001"
    assert provider.assertions[-1]["box_sub_type"] == "user"


@responses.activate
def test_a_jwt_config_with_a_wrong_key_is_refused_and_needs_reconnect(provider, make_account):
    responses.add_passthru(provider.url)
    registered, other = rsa_key(), rsa_key()
    provider.add_client(
        "jwt-app", "jwt-secret", jwt_public_key=public_pem(registered), jwt_key_id="kid-1"
    )
    account = make_account(
        "box",
        credentials={"jwt_config": config_json(other)},
        options={"token_url": f"{provider.url}/token"},
    )
    run = sync_account(account)
    assert run.state == "failed"
    assert run.error_code == "token_refused"
    assert "JWT assertion" in run.error_message and "invalid_grant" in run.error_message
    account.refresh_from_db()
    assert account.connection_state == "needs_reconnect"
    assert provider.by_access == {}


def test_a_jwt_config_with_a_wrong_passphrase_is_refused_when_added(tmp_path):
    key = rsa_key()
    config = json.loads(config_json(key))
    config["boxAppSettings"]["appAuth"]["passphrase"] = "not-the-passphrase"
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    code, out, err = add_account("--name", "bad", "--credential-file", f"jwt_config={path}")
    assert code == 2
    assert "wrong passphrase" in err
    for broken in ("{not json", json.dumps({"boxAppSettings": {}})):
        path.write_text(broken)
        assert add_account("--name", "bad", "--credential-file", f"jwt_config={path}")[0] == 2
    assert not ProviderAccount.objects.exists()


# -- users=all ---------------------------------------------------------------------------


def entry(request_id: str, file_id: str) -> dict:
    row = json.loads(json.dumps(load("list_last_page")["entries"][0]))
    row["id"] = request_id
    row["sign_files"] = {"files": [{"id": file_id, "type": "file", "name": "a.pdf"}]}
    row["signing_log"] = None
    return row


def as_user(user_id: str | None):
    if user_id is None:
        return matchers.header_matcher({"As-User": ""}, strict_match=False)
    return matchers.header_matcher({"As-User": user_id})


@responses.activate
def test_users_all_reads_every_managed_user_and_indexes_each_request_once(make_account):
    account = make_account(
        "box",
        credentials={"access_token": "dev"},
        options={"users": "all", "include_shared": "false"},
    )
    responses.get(
        USERS_URL,
        json={"entries": [{"type": "user", "id": "11", "login": "ana@example.com"}],
              "next_marker": "u2", "limit": 1000},
        match=[matchers.query_param_matcher(
            {"user_type": "managed", "usemarker": "true", "limit": "1000",
             "fields": "id,name,login,status"})],
    )  # fmt: skip
    responses.get(
        USERS_URL,
        json={"entries": [{"type": "user", "id": "12", "login": "ben@example.com"}],
              "next_marker": None},
        match=[matchers.query_param_matcher(
            {"user_type": "managed", "usemarker": "true", "limit": "1000",
             "fields": "id,name,login,status", "marker": "u2"})],
    )  # fmt: skip

    def listing(request):
        who = request.headers.get("As-User")
        rows = {
            None: [],
            "11": [entry("sr-a", "f-a"), entry("sr-both", "f-b")],
            "12": [entry("sr-both", "f-b"), entry("sr-c", "f-c")],
        }[who]
        return 200, {}, json.dumps({"entries": rows, "next_marker": None})

    responses.add_callback(responses.GET, LIST_URL, callback=listing)
    run = sync_account(account)
    assert run.state == "succeeded", run.error_message
    docs = {d.external_id: d for d in SignedDocument.objects.filter(account=account)}
    assert set(docs) == {"sr-a", "sr-both", "sr-c"}
    assert docs["sr-both"].raw["signhub_read_as"] == {"id": "11", "login": "ana@example.com"}
    assert docs["sr-c"].raw["signhub_read_as"]["id"] == "12"
    assert docs["sr-c"].files[0]["handle"] == {"file_id": "f-c", "as_user": "12"}
    calls = [
        c.request.headers.get("As-User")
        for c in responses.calls
        if "sign_requests" in c.request.url
    ]
    assert calls == [None, "11", "12"]

    # A download of a user's file is made as that user too.
    responses.get(
        f"{BASE}/2.0/files/f-c/content",
        body=b"%PDF-1.4",
        headers={"Content-Type": "application/pdf"},
        match=[as_user("12")],
    )
    stream = account.connector().open_file(docs["sr-c"], docs["sr-c"].files[0]["key"])
    assert b"".join(stream.chunks) == b"%PDF-1.4"


def test_the_users_option_is_validated():
    code, out, err = add_account(
        "--name", "u", "--credential", "access_token=a", "--option", "users=ana@example.com"
    )
    assert code == 2 and "not a Box user ID" in err
    code, out, err = add_account(
        "--name", "u", "--credential", "access_token=a", "--option", "users=11, 12,11"
    )
    assert code == 0
    assert ProviderAccount.objects.get(name="u").options["users"] == "11,12"


@responses.activate
def test_check_account_warns_when_a_service_account_owns_no_requests(make_account, provider):
    responses.add_passthru(provider.url)
    key = rsa_key()
    provider.add_client("jwt-app", "jwt-secret", jwt_public_key=public_pem(key), jwt_key_id="kid-1")
    make_account(
        "box",
        name="svc",
        credentials={"jwt_config": config_json(key)},
        options={"token_url": f"{provider.url}/token"},
    )
    responses.get(LIST_URL, json={"entries": [], "next_marker": None, "limit": 1})
    out = StringIO()
    call_command("check_account", "svc", stdout=out)
    assert (
        "this service account owns no sign requests; set users=all to read your users' requests"
        in out.getvalue()
    )
    ProviderAccount.objects.filter(name="svc").update(options={
        "token_url": f"{provider.url}/token", "users": "all"})  # fmt: skip
    responses.get(USERS_URL, json={"entries": [{"id": "11"}], "next_marker": None})
    out = StringIO()
    call_command("check_account", "svc", stdout=out)
    assert "warning" not in out.getvalue() and "users=all" in out.getvalue()
