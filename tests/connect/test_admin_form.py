"""The guided account form: provider first, then its own fields; drafts, waiting, testing."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages

from signhub.core.models import AuditEvent, ProviderAccount

pytestmark = pytest.mark.django_db
ADD = "/admin/core/provideraccount/add/"


def texts(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_adding_starts_with_a_provider_choice_that_needs_no_javascript(staff_client):
    page = staff_client.get(ADD).content.decode()
    assert '<form method="get" id="choose-provider"' in page
    for key in ("box", "boldsign", "jsign", "bitrix24"):
        assert f'name="provider" value="{key}"' in page
    assert "cred_" not in page
    unknown = staff_client.get(ADD + "?provider=nope").content.decode()
    assert "Unknown provider" in unknown


def test_the_second_step_shows_the_providers_fields_in_words(staff_client):
    page = staff_client.get(ADD + "?provider=fakeoauth").content.decode()
    assert 'name="cred_client_id"' in page and 'name="cred_client_secret"' in page
    assert re.search(r'<input type="password" name="cred_client_secret"', page)
    assert re.search(r'<input type="text" name="cred_client_id"', page)
    assert "Client secret" in page  # a label, not the raw key
    assert 'name="opt_authorize_url"' in page
    assert 'name="options"' not in page  # no raw JSON box
    assert "https://fake.example.com/console" in page
    assert 'type="hidden" name="provider" value="fakeoauth"' in page


def test_an_oauth_app_is_saved_waiting_and_its_page_offers_connect(staff_client):
    response = staff_client.post(
        ADD + "?provider=fakeoauth",
        {
            "name": "acme",
            "provider": "fakeoauth",
            "base_url": "http://127.0.0.1:9",
            "enabled": "on",
            "cred_client_id": "app-id",
            "cred_client_secret": "app-secret-value",
        },
    )
    account = ProviderAccount.objects.get(name="acme")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/core/provideraccount/{account.pk}/change/"
    assert "waiting to be connected" in texts(response)
    assert account.connection_state == "waiting"
    assert account.credentials == {"client_id": "app-id", "client_secret": "app-secret-value"}

    page = staff_client.get(response["Location"]).content.decode()
    assert "Waiting to be connected" in page
    assert f'href="http://testserver/connect/{account.endpoint_key}/"' in page
    assert "Connect with Fake OAuth" in page
    assert f'value="http://testserver/connect/{account.endpoint_key}/callback/"' in page
    assert "app-secret-value" not in page
    assert 'value="app-id"' in page  # non-secret values are shown in plain inputs
    assert AuditEvent.objects.filter(action="account_create").exists()


def test_no_account_is_saved_enabled_without_usable_credentials(staff_client):
    form = {"name": "acme", "provider": "fakeoauth", "base_url": "", "enabled": "on"}
    response = staff_client.post(ADD + "?provider=fakeoauth", form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Give client_id and client_secret" in page
    assert "untick Enabled to save it as a draft" in page
    assert not ProviderAccount.objects.exists()

    draft = staff_client.post(ADD + "?provider=fakeoauth", {**form, "enabled": ""})
    assert draft.status_code == 302
    account = ProviderAccount.objects.get()
    assert account.enabled is False
    assert "saved disabled" in texts(draft)
    assert account.base_url == "http://127.0.0.1:9"  # the provider's default


def test_provider_field_errors_land_on_the_field(staff_client):
    response = staff_client.post(
        ADD + "?provider=fake",
        {"name": "f", "provider": "fake", "enabled": "on", "cred_token": "t", "opt_page_size": "0"},
    )
    assert response.status_code == 200
    assert re.search(r"page_size|Page size", response.content.decode())
    assert "greater than or equal to 1" in response.content.decode()
    assert not ProviderAccount.objects.exists()


def test_secrets_are_write_only_and_plain_values_editable(staff_client, make_account):
    account = make_account(
        "fakeoauth",
        name="acme",
        credentials={"client_id": "old-id", "client_secret": "keep-me", "access_token": "tok"},
    )
    url = f"/admin/core/provideraccount/{account.pk}/change/"
    page = staff_client.get(url).content.decode()
    assert "keep-me" not in page and "tok" not in re.findall(r'value="([^"]*)"', page)
    assert "Currently set" in page
    response = staff_client.post(
        url,
        {"name": "acme", "base_url": account.base_url, "enabled": "on", "cred_client_id": "new"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    account.refresh_from_db()
    assert account.credentials == {
        "client_id": "new",
        "client_secret": "keep-me",
        "access_token": "tok",
    }
    event = AuditEvent.objects.get(action="credentials_change")
    assert event.details["fields"] == ["client_id"]


def test_the_test_connection_button_shows_the_providers_error(staff_client, make_account):
    account = make_account("fake", name="acme", credentials={"token": "bad"})
    response = staff_client.post(f"/admin/core/provideraccount/{account.pk}/test-connection/")
    assert response.status_code == 302
    assert "Fake rejected the token" in texts(response)
    assert (
        staff_client.get(f"/admin/core/provideraccount/{account.pk}/test-connection/").status_code
        == 405
    )
    event = AuditEvent.objects.get(action="test_connection")
    assert event.result == "error"


def test_the_test_connection_button_on_a_waiting_account_says_connect_first(
    staff_client, make_account
):
    account = make_account(
        "fakeoauth", name="acme", credentials={"client_id": "a"}, awaiting_connect=True
    )
    response = staff_client.post(f"/admin/core/provideraccount/{account.pk}/test-connection/")
    assert "press Connect with Fake OAuth first" in texts(response)
