"""Connecting a Bitrix24 portal: the OAuth code flow, the install page, ONAPPINSTALL.

The portal and its OAuth server are one loopback fake (tests.oauth_provider in Bitrix24
style, built on authlib): the consent page redirects to the application's registered handler
path (no redirect_uri is sent), codes are single use and live 30 s, the token exchange is a
GET, and `/rest/<method>` answers only to tokens it issued.
"""

from __future__ import annotations

import json
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command

from signhub.core.models import AuditEvent, ProviderAccount, SignedDocument
from signhub.core.sync import sync_account
from tests.oauth_provider import FakeOAuthProvider

pytestmark = pytest.mark.django_db
MEMBER = "a223c6b3710f85df22e9377d6c4f7553"


@pytest.fixture
def portal():
    with FakeOAuthProvider(style="bitrix24") as fake:
        host = urlsplit(fake.url).netloc
        fake.token_extras = {
            "member_id": MEMBER,
            "client_endpoint": f"{fake.url}/rest/",
            "server_endpoint": "https://oauth.bitrix.info/rest/",
            "domain": "oauth.bitrix.info",
            "scope": "sign.b2e",
            "status": "L",
        }
        fake.redirect_extras = {
            "domain": host,
            "member_id": MEMBER,
            "scope": "sign.b2e",
            "server_domain": "oauth.bitrix.info",
        }
        fake.rest_lists = {
            "sign.b2e.personal.tail": [
                {
                    "id": 59,
                    "title": "test-pdf e",
                    "signed_date": "2024-06-28T19:34:58+02:00",
                    "file_url": f"{fake.url}/rest/download.json?token=x",
                },
            ],  # fmt: skip
            "sign.b2e.mysafe.tail": [],
        }
        yield fake


@pytest.fixture
def account(portal):
    account = ProviderAccount.objects.create(
        name="portal",
        provider="bitrix24",
        base_url=portal.url,
        credentials={"client_id": "local.app", "client_secret": "app-secret"},
        options={"oauth_url": f"{portal.url}/oauth/token/"},
        awaiting_connect=True,
    )
    handler = f"http://testserver/connect/{account.endpoint_key}/callback/"
    portal.add_client("local.app", "app-secret", redirect_uris=[handler])
    return account


def test_add_account_with_the_application_keys_waits_and_prints_the_install_url(settings):
    settings.SIGNHUB_PUBLIC_URL = "https://signhub.example.com"
    out, err = StringIO(), StringIO()
    call_command(
        "add_account", "bitrix24", "--name", "b24", "--base-url", "https://acme.bitrix24.com",
        "--credential", "client_id=local.1", "--credential", "client_secret=s",
        stdout=out, stderr=err,
    )  # fmt: skip
    account = ProviderAccount.objects.get(pk=int(out.getvalue()))
    assert account.connection_state == "waiting"
    info = StringIO()
    call_command("connect_info", "b24", stdout=info)
    lines = dict(line.split(": ", 1) for line in info.getvalue().splitlines())
    base = f"https://signhub.example.com/connect/{account.endpoint_key}"
    assert lines == {
        "state": "waiting",
        "connect_url": f"{base}/",
        "redirect_uri": f"{base}/callback/",
        "install_url": f"{base}/install/",
        "webhook_url": f"https://signhub.example.com/webhooks/{account.endpoint_key}/",
    }


def test_connect_authorizes_on_the_portal_without_a_redirect_uri(staff_client, account, portal):
    response = staff_client.get(f"/connect/{account.endpoint_key}/")
    location = urlsplit(response["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        f"{portal.url}/oauth/authorize/"
    )
    assert set(query) == {"client_id", "state"}  # as Bitrix24 documents it
    assert query["client_id"] == ["local.app"] and query["state"]


def test_the_code_flow_connects_the_portal_and_the_account_syncs(staff_client, account, portal):
    start = staff_client.get(f"/connect/{account.endpoint_key}/")
    back = urlsplit(portal.decide(start["Location"]))
    assert back.path == f"/connect/{account.endpoint_key}/callback/"
    response = staff_client.get(f"{back.path}?{back.query}")
    assert response.status_code == 302

    exchange = portal.token_requests[-1]
    assert exchange["grant_type"] == "authorization_code"
    assert exchange["client_id"] == "local.app" and exchange["client_secret"] == "app-secret"
    assert "redirect_uri" not in exchange
    assert portal.token_gets == 1  # read with GET, as the OAuth server documents
    account.refresh_from_db()
    assert account.connection_state == "connected"
    assert account.credentials["member_id"] == MEMBER
    assert account.credentials["client_endpoint"] == f"{portal.url}/rest/"
    assert account.credentials["access_token"] in portal.by_access

    run = sync_account(account)
    assert run.state == "succeeded", run.error_message
    assert SignedDocument.objects.get(account=account).title == "test-pdf e"


def test_a_callback_naming_another_portal_stores_nothing(staff_client, account, portal):
    portal.redirect_extras = {**portal.redirect_extras, "domain": "evil.bitrix24.com"}
    start = staff_client.get(f"/connect/{account.endpoint_key}/")
    back = urlsplit(portal.decide(start["Location"]))
    response = staff_client.get(f"{back.path}?{back.query}", follow=True)
    assert "evil.bitrix24.com" in response.content.decode()
    account.refresh_from_db()
    assert account.connection_state == "waiting"
    assert portal.token_requests == []  # refused before the code was spent


def install_page(client, account, portal, token, **changes):
    host = urlsplit(portal.url).netloc
    fields = {
        "AUTH_ID": token.access_token,
        "AUTH_EXPIRES": "3600",
        "REFRESH_ID": token.refresh_token,
        "SERVER_ENDPOINT": "https://oauth.bitrix.info/rest/",
        "member_id": MEMBER,
        "status": "L",
        "PLACEMENT": "DEFAULT",
        "PLACEMENT_OPTIONS": "{}",
    }
    query = {"DOMAIN": host, "PROTOCOL": "0", "LANG": "en", "APP_SID": "abc123"}
    query.update({k: v for k, v in changes.items() if k in query})
    fields.update({k: v for k, v in changes.items() if k not in query})
    path = f"/connect/{account.endpoint_key}/install/?" + "&".join(
        f"{k}={v}" for k, v in query.items()
    )
    return client.post(path, fields)


def test_the_install_page_stores_the_tokens_and_finishes_the_install(client, account, portal):
    token = portal.issue("local.app")
    response = install_page(client, account, portal, token, APPLICATION_TOKEN="app-tok")
    assert response.status_code == 200, response.content
    page = response.content.decode()
    assert '<script src="https://api.bitrix24.com/api/v1/"></script>' in page
    assert "js/install-finish.js" in page and "<script>" not in page
    csp = response["Content-Security-Policy"]
    assert f"frame-ancestors {portal.url}" in csp
    assert "script-src 'self' https://api.bitrix24.com" in csp
    assert "X-Frame-Options" not in response.headers
    assert "app.info" in portal.rest_calls  # the tokens were proven on the portal
    account.refresh_from_db()
    assert account.connection_state == "connected"
    assert account.credentials["access_token"] == token.access_token
    assert account.credentials["refresh_token"] == token.refresh_token
    assert account.credentials["application_token"] == "app-tok"
    assert account.credentials["member_id"] == MEMBER
    assert account.base_url == portal.url


def test_the_onappinstall_event_stores_tokens_and_the_application_token(client, account, portal):
    token = portal.issue("local.app")
    host = urlsplit(portal.url).netloc
    response = client.post(
        f"/connect/{account.endpoint_key}/install/",
        {
            "event": "ONAPPINSTALL",
            "data[VERSION]": "1",
            "data[ACTIVE]": "Y",
            "data[INSTALLED]": "Y",
            "data[LANGUAGE_ID]": "en",
            "ts": "1466439714",
            "auth[access_token]": token.access_token,
            "auth[expires_in]": "3600",
            "auth[scope]": "sign.b2e",
            "auth[domain]": host,
            "auth[server_endpoint]": "https://oauth.bitrix.info/rest/",
            "auth[status]": "L",
            "auth[client_endpoint]": f"{portal.url}/rest/",
            "auth[member_id]": MEMBER,
            "auth[refresh_token]": token.refresh_token,
            "auth[application_token]": "51856fefc120afa4b628cc82d3935cce",
        },
    )
    assert response.status_code == 200
    assert json.loads(response.content) == {"ok": True}
    account.refresh_from_db()
    assert account.connection_state == "connected"
    assert account.credentials["application_token"] == "51856fefc120afa4b628cc82d3935cce"
    assert account.credentials["client_endpoint"] == f"{portal.url}/rest/"
    run = sync_account(account)
    assert run.state == "succeeded", run.error_message


@pytest.mark.parametrize(
    "changes",
    [
        {"DOMAIN": "evil.bitrix24.com"},  # another portal's install
        {"DOMAIN": ""},
    ],
)
def test_an_install_for_another_portal_is_refused(client, account, portal, changes):
    token = portal.issue("local.app")
    response = install_page(client, account, portal, token, **changes)
    assert response.status_code == 403
    assert json.loads(response.content)["code"] == "wrong_portal"
    account.refresh_from_db()
    assert account.connection_state == "waiting"
    assert "access_token" not in account.credentials
    assert portal.rest_calls == []
    assert AuditEvent.objects.filter(action="account_install", result="refused").exists()


def test_an_install_with_another_member_id_is_refused_once_connected(client, account, portal):
    install_page(client, account, portal, portal.issue("local.app"))
    account.refresh_from_db()
    first = account.credentials["access_token"]
    response = install_page(client, account, portal, portal.issue("local.app"), member_id="other")
    assert response.status_code == 403
    account.refresh_from_db()
    assert account.credentials["access_token"] == first


def test_forged_tokens_are_refused_by_the_portal(client, account, portal):
    class Forged:
        access_token, refresh_token = "forged-access", "forged-refresh"

    response = install_page(client, account, portal, Forged())
    assert response.status_code == 403
    assert json.loads(response.content)["code"] == "tokens_refused"
    account.refresh_from_db()
    assert "access_token" not in account.credentials


def test_opening_the_app_in_the_portal_posts_to_the_handler_path(client, account, portal):
    token = portal.issue("local.app")
    host = urlsplit(portal.url).netloc
    response = client.post(
        f"/connect/{account.endpoint_key}/callback/?DOMAIN={host}&PROTOCOL=0&LANG=en&APP_SID=x",
        {"AUTH_ID": token.access_token, "AUTH_EXPIRES": "3600", "REFRESH_ID": token.refresh_token,
         "member_id": MEMBER, "PLACEMENT": "DEFAULT"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "signhub is connected" in response.content.decode()
    assert "api.bitrix24.com" not in response.content.decode()  # no second installFinish
    account.refresh_from_db()
    assert account.connection_state == "connected"


def test_the_install_binds_the_e_signature_events_to_the_webhook_url_and_rebinds(
    client, account, portal, settings
):
    settings.SIGNHUB_PUBLIC_URL = "https://signhub.example.com"
    hook = f"https://signhub.example.com/webhooks/{account.endpoint_key}/"
    token = portal.issue("local.app")
    assert install_page(client, account, portal, token, APPLICATION_TOKEN="t").status_code == 200
    assert portal.bound == [
        ("ONSIGNB2EDOCUMENTSTATUSCHANGED", hook),
        ("ONSIGNB2EMEMBERSTATUSCHANGED", hook),
    ]
    # A reinstall (reconnect) binds again; the portal's "already bound" is fine.
    token = portal.issue("local.app")
    assert install_page(client, account, portal, token, APPLICATION_TOKEN="t").status_code == 200
    assert portal.rest_calls.count("event.bind") == 4 and len(portal.bound) == 2
    event = AuditEvent.objects.filter(action="account_install").first()
    assert "ONSIGNB2EDOCUMENTSTATUSCHANGED" in event.details["events"]


def test_offline_events_are_bound_without_a_handler_and_polled(client, account, portal):
    from signhub.connectors.bitrix24 import events

    account.options = {**account.options, "events": "offline"}
    account.save()
    token = portal.issue("local.app")
    assert install_page(client, account, portal, token, APPLICATION_TOKEN="t").status_code == 200
    assert portal.bound == [
        ("ONSIGNB2EDOCUMENTSTATUSCHANGED", "offline"),
        ("ONSIGNB2EMEMBERSTATUSCHANGED", "offline"),
    ]
    portal.offline_events = [
        {"ID": 1, "EVENT_NAME": "ONSIGNB2EDOCUMENTSTATUSCHANGED", "EVENT_DATA": {}},
        {"ID": 2, "EVENT_NAME": "ONUSERADD", "EVENT_DATA": {}},
    ]
    account.refresh_from_db()
    assert events.take_offline(account.connector()) == 1
    assert events.take_offline(account.connector()) == 0
    # The scheduler's pass: the kept event becomes an incremental sync (immediate backend).
    portal.offline_events = [{"ID": 3, "EVENT_NAME": "ONSIGNB2EMEMBERSTATUSCHANGED"}]
    from signhub.core.models import SyncRun
    from signhub.ops.scheduler import tick

    tick()
    assert SyncRun.objects.filter(account=account, trigger="webhook", state="succeeded").exists()
