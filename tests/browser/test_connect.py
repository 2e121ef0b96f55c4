"""The guided account form without JavaScript (the provider journeys with it are in
test_connect_providers.py)."""

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
