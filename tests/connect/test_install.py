"""The generic application-install endpoint (Bitrix24 uses it): public, CSRF-exempt, strict."""

from __future__ import annotations

import json

import pytest

from signhub.core.models import AuditEvent, ProviderAccount

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(db):
    return ProviderAccount.objects.create(
        name="portal",
        provider="fakeportal",
        base_url="https://acme.example.com",
        credentials={"client_id": "a", "client_secret": "b"},
        awaiting_connect=True,
    )


def url(account) -> str:
    return f"/connect/{account.endpoint_key}/install/"


def test_an_event_install_stores_the_tokens_and_answers_json(client, portal):
    client.enforce_csrf_checks = True  # the provider posts without our CSRF token
    response = client.post(url(portal), {"portal": "acme.example.com", "token": "tok-1"})
    assert response.status_code == 200
    assert json.loads(response.content) == {"ok": True}
    portal.refresh_from_db()
    assert portal.connection_state == "connected"
    assert portal.credentials["access_token"] == "tok-1"
    assert AuditEvent.objects.filter(action="account_install", result="ok").exists()


def test_a_page_install_may_be_framed_by_its_portal_only(client, portal):
    response = client.post(
        url(portal), {"portal": "acme.example.com", "token": "t", "PLACEMENT": "DEFAULT"}
    )
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors https://acme.example.com" in csp
    assert "script-src 'self' https://sdk.fake.example" in csp
    assert "unsafe-inline" not in csp
    assert "X-Frame-Options" not in response.headers
    page = response.content.decode()
    assert '<script src="https://sdk.fake.example/api/v1/"></script>' in page
    assert "js/install-finish.js" in page
    assert "<script>" not in page  # no inline script


def test_an_install_from_another_portal_is_refused_and_changes_nothing(client, portal):
    response = client.post(url(portal), {"portal": "evil.example.com", "token": "t"})
    assert response.status_code == 403
    assert "evil.example.com" in json.loads(response.content)["message"]
    portal.refresh_from_db()
    assert portal.connection_state == "waiting"
    assert "access_token" not in portal.credentials
    assert AuditEvent.objects.filter(action="account_install", result="refused").exists()


def test_the_install_endpoint_refuses_other_methods_keys_and_big_bodies(client, portal):
    assert client.get(url(portal)).status_code == 405
    assert client.post("/connect/unknown/install/", {"portal": "x"}).status_code == 404
    big = client.post(url(portal), data="x" * 70_000, content_type="text/plain")
    assert big.status_code == 413
    plain = ProviderAccount.objects.create(name="plain", provider="fakeoauth", base_url="x")
    assert client.post(url(plain), {"portal": "x"}).status_code == 404
