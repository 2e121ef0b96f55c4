"""A fake OAuth provider on loopback, an OAuth-app account pointing at it, an admin."""

from __future__ import annotations

import pytest

from signhub.core.models import ProviderAccount
from tests.oauth_provider import FakeOAuthProvider

CLIENT_ID = "signhub-app"
CLIENT_SECRET = "app-secret-value"


@pytest.fixture
def provider():
    with FakeOAuthProvider(require_pkce=True) as fake:
        fake.documents = [{"id": 1, "title": "Offer letter"}, {"id": 2, "title": "NDA"}]
        yield fake


@pytest.fixture
def account(db, provider):
    account = ProviderAccount.objects.create(
        name="acme",
        provider="fakeoauth",
        base_url=provider.url,
        credentials={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
        awaiting_connect=True,
    )
    provider.add_client(
        CLIENT_ID,
        CLIENT_SECRET,
        redirect_uris=[f"http://testserver/connect/{account.endpoint_key}/callback/"],
    )
    return account


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
