"""Each provider's admin journey in Chromium: the guided form, then connecting.

Box: client ID and secret → Connect with Box on a fake authorization server (authlib) →
back connected → Sync now reads the Box sandbox → the documents are listed. BoldSign and
Bitrix24: their own fields, Connect (PKCE; the portal's handler path) and back connected.
JSign: the login fields, and no enabled account without a complete login. Without
JavaScript, the provider choice is a plain form.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User

from signhub.core.models import ProviderAccount, SignedDocument
from tests.oauth_provider import FakeOAuthProvider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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


def choose(page, live_server, label: str, screenshot=None) -> None:
    page.goto(f"{live_server.url}/admin/core/provideraccount/add/")
    if screenshot:
        page.screenshot(path=str(screenshot))
    page.get_by_label(label).click()
    page.wait_for_url(re.compile(r"provider="))


def open_options(page) -> None:
    page.locator("fieldset.collapse summary, fieldset.collapse h2").first.click()


def errors_of(page) -> list[str]:
    return [e for e in page.js_errors if "favicon.ico" not in e]


def test_box_add_connect_sync_and_see_documents(page, live_server, screenshots):
    sandbox = f"{live_server.url}/sandbox/box"
    with FakeOAuthProvider(token_prefix="sbx-") as provider:
        admin_login(page, live_server)
        choose(page, live_server, "Box Sign", screenshots / "admin-choose-provider.png")
        page.get_by_label("Name").fill("HR Box")
        page.get_by_label("Base URL").fill(sandbox)
        page.get_by_label("Client ID").fill("box-client")
        page.get_by_label("Client secret").fill("box-secret")
        assert page.get_by_label("JWT config (JSON)").evaluate("e => e.tagName") == "TEXTAREA"
        open_options(page)
        page.get_by_label("Authorize URL").fill(f"{provider.url}/authorize")
        page.get_by_label("Token URL").fill(f"{provider.url}/token")
        page.screenshot(path=str(screenshots / "admin-box-fields.png"), full_page=True)
        page.get_by_role("button", name="Save", exact=True).click()
        page.wait_for_url(re.compile(r"/change/$"))
        assert "Waiting to be connected" in page.locator(".connection-panel").inner_text()
        redirect_uri = page.locator("#redirect-uri").input_value()
        provider.add_client("box-client", "box-secret", redirect_uris=[redirect_uri])

        page.locator(".connection-panel").get_by_role("link", name="Connect with Box").click()
        page.wait_for_url(re.compile(re.escape(provider.url)))
        page.get_by_role("button", name="Grant access").click()
        page.wait_for_url(re.compile(r"/change/$"))
        assert "connected with Box" in page.locator(".messagelist").inner_text()
        assert "Reconnect with Box" in page.locator(".connection-panel").inner_text()
        page.screenshot(path=str(screenshots / "admin-box-connected.png"), full_page=True)
        page.get_by_role("button", name="Test connection").click()
        assert "OAuth 2.0 authentication works" in page.locator(".messagelist").inner_text()

        page.goto(f"{live_server.url}/accounts/")
        page.get_by_role("button", name=re.compile("Sync now")).click()
        page.wait_for_function("() => /300 documents/.test(document.body.innerText)")
        page.goto(f"{live_server.url}/documents/?q=Arbeitsvertrag")
        page.wait_for_load_state("networkidle")  # the first visit reloads with the tz cookie
        titles = page.locator("tbody tr td.title").all_inner_texts()
        assert titles and all("Arbeitsvertrag Müller" in t for t in titles), titles
    account = ProviderAccount.objects.get(name="HR Box")
    assert account.connection_state == "connected"
    assert SignedDocument.objects.filter(account=account).count() == 300
    assert errors_of(page) == []


def test_boldsign_add_and_connect_with_pkce(page, live_server):
    with FakeOAuthProvider(require_pkce=True) as provider:
        admin_login(page, live_server)
        choose(page, live_server, "BoldSign")
        page.get_by_label("Name").fill("HR BoldSign")
        page.get_by_label("Client ID").fill("bs-client")
        page.get_by_label("Client secret").fill("bs-secret")
        assert page.get_by_label("API key").get_attribute("type") == "password"
        open_options(page)
        page.get_by_label("Authorize URL").fill(f"{provider.url}/authorize")
        page.get_by_label("Token URL").fill(f"{provider.url}/token")
        page.get_by_role("button", name="Save", exact=True).click()
        page.wait_for_url(re.compile(r"/change/$"))
        provider.add_client(
            "bs-client", "bs-secret", redirect_uris=[page.locator("#redirect-uri").input_value()]
        )
        page.locator(".connection-panel").get_by_role("link", name="Connect with BoldSign").click()
        page.wait_for_url(re.compile(re.escape(provider.url)))
        assert "BoldSign.Documents.All" in page.content()
        page.get_by_role("button", name="Deny").click()
        page.wait_for_url(re.compile(r"/change/$"))
        assert "access was not granted" in page.locator(".messagelist").inner_text()
        page.locator(".connection-panel").get_by_role("link", name="Connect with BoldSign").click()
        page.get_by_role("button", name="Grant access").click()
        page.wait_for_url(re.compile(r"/change/$"))
        assert "Connected" in page.locator(".connection-state").inner_text()
        assert provider.token_requests[-1]["code_verifier"]
    assert errors_of(page) == []


def test_bitrix24_shows_the_handler_and_install_urls_and_connects(page, live_server):
    with FakeOAuthProvider(style="bitrix24") as portal:
        portal.redirect_extras = {"domain": urlsplit(portal.url).netloc, "member_id": "m-1"}
        portal.token_extras = {"member_id": "m-1", "client_endpoint": f"{portal.url}/rest/"}
        admin_login(page, live_server)
        choose(page, live_server, "Bitrix24 e-Signature for HR")
        page.get_by_label("Name").fill("HR Portal")
        page.get_by_label("Base URL").fill(portal.url)
        page.get_by_label("Application ID (client_id)").fill("local.app")
        page.get_by_label("Application key (client_secret)").fill("app-secret")
        open_options(page)
        page.get_by_label("OAuth server").fill(f"{portal.url}/oauth/token/")
        page.get_by_role("button", name="Save", exact=True).click()
        page.wait_for_url(re.compile(r"/change/$"))
        panel = page.locator(".connection-panel").inner_text()
        assert "handler path" in panel and "initial installation path" in panel
        handler = page.locator("#redirect-uri").input_value()
        assert page.locator("#install-url").input_value().endswith("/install/")
        portal.add_client("local.app", "app-secret", redirect_uris=[handler])
        page.locator(".connection-panel").get_by_role("link", name="Connect with Bitrix24").click()
        page.get_by_role("button", name="Grant access").click()
        page.wait_for_url(re.compile(r"/change/$"))
        assert "Connected" in page.locator(".connection-state").inner_text()
    account = ProviderAccount.objects.get(name="HR Portal")
    assert account.credentials["member_id"] == "m-1"
    assert errors_of(page) == []


def test_jsign_login_fields_and_no_enabled_account_without_a_complete_login(page, live_server):
    admin_login(page, live_server)
    choose(page, live_server, "JSign")
    page.get_by_label("Name").fill("HR JSign")
    page.get_by_label("API key", exact=False).fill("key")
    page.get_by_label("User email").fill("hr@example.com")
    assert page.get_by_label("User password").get_attribute("type") == "password"
    assert "Connect with" not in page.content()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_selector(".errornote")
    body = page.locator("body").inner_text()
    assert "needs all of api_key, api_secret, email and password" in body
    assert "untick Enabled" in body
    assert not ProviderAccount.objects.exists()
    page.get_by_label("API secret").fill("secret")
    page.get_by_label("User password").fill("pw")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(r"/change/$"))
    assert "Connected" in page.locator(".connection-state").inner_text()
    assert errors_of(page) == []


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
