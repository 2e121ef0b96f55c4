"""The administrator's connect journey in a real browser (Chromium through Playwright)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User

from signhub.core.models import ProviderAccount
from tests.oauth_provider import FakeOAuthProvider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def provider():
    with FakeOAuthProvider(require_pkce=True) as fake:
        fake.documents = [{"id": 7, "title": "Offer letter Jane"}, {"id": 8, "title": "NDA Jane"}]
        yield fake


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def admin_login(page, live_server) -> None:
    User.objects.create_superuser("root", "root@example.com", "correct horse battery")
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def test_admin_adds_an_oauth_account_connects_it_and_sees_documents(
    page, live_server, provider, screenshots
):
    admin_login(page, live_server)
    page.goto(f"{live_server.url}/admin/core/provideraccount/add/")
    page.screenshot(path=str(screenshots / "admin-choose-provider.png"))
    page.get_by_label("Fake OAuth").click()  # continues by itself with JavaScript
    page.wait_for_url(re.compile(r"provider=fakeoauth"))
    assert page.get_by_label("Client secret").get_attribute("type") == "password"
    page.get_by_label("Name").fill("Acme")
    page.get_by_label("Base URL").fill(provider.url)
    page.get_by_label("Client ID").fill("signhub-app")
    page.get_by_label("Client secret").fill("app-secret-value")
    page.screenshot(path=str(screenshots / "admin-provider-fields.png"), full_page=True)
    page.get_by_role("button", name="Save", exact=True).click()

    page.wait_for_url(re.compile(r"/change/$"))
    assert "Waiting to be connected" in page.locator(".connection-panel").inner_text()
    account = ProviderAccount.objects.get(name="Acme")
    redirect_uri = page.locator("#redirect-uri").input_value()
    assert redirect_uri == f"{live_server.url}/connect/{account.endpoint_key}/callback/"
    provider.add_client("signhub-app", "app-secret-value", redirect_uris=[redirect_uri])
    page.screenshot(path=str(screenshots / "admin-waiting.png"), full_page=True)

    page.locator(".connection-panel").get_by_role("link", name="Connect with Fake OAuth").click()
    page.wait_for_url(re.compile(re.escape(provider.url) + "/authorize"))
    page.get_by_role("button", name="Grant access").click()
    page.wait_for_url(re.compile(r"/admin/core/provideraccount/\d+/change/$"))
    assert "connected with Fake OAuth" in page.locator(".messagelist").inner_text()
    assert "Connected" in page.locator(".connection-state").inner_text()
    assert "Reconnect with Fake OAuth" in page.locator(".connection-panel").inner_text()

    page.get_by_role("button", name="Test connection").click()
    assert "signed in as user-1" in page.locator(".messagelist").inner_text()

    page.goto(f"{live_server.url}/accounts/")
    page.get_by_role("button", name=re.compile("Sync now")).click()
    page.wait_for_function("() => document.body.innerText.includes('2 documents')")
    page.goto(f"{live_server.url}/documents/")
    assert page.get_by_text("Offer letter Jane").is_visible()
    assert [e for e in page.js_errors if "favicon.ico" not in e] == []


def test_without_javascript_the_choice_is_a_plain_form(browser, live_server, screenshots):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    admin_login(page, live_server)
    page.goto(f"{live_server.url}/admin/core/provideraccount/add/")
    page.get_by_label("Fake OAuth").check()
    assert "provider=" not in page.url  # nothing happens by itself
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"provider=fakeoauth"))
    page.get_by_label("Name").fill("Acme")
    page.get_by_role("button", name="Save", exact=True).click()
    body = page.locator("body").inner_text()
    assert "untick Enabled to save it as a draft" in body
    assert not ProviderAccount.objects.exists()
    context.close()
