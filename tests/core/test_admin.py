"""The account admin: credential fields are write-only, and they do render."""

import pytest

SECRET = "very-secret-token-value"


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "pw-12345678")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_change_form_shows_set_not_set_and_a_replace_field(admin_client, make_account):
    account = make_account(name="acme", credentials={"token": SECRET})
    response = admin_client.get(f"/admin/core/provideraccount/{account.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="cred_token"' in html
    assert "Currently set" in html
    assert SECRET not in html


@pytest.mark.django_db
def test_a_blank_credential_keeps_the_stored_value_and_a_new_one_replaces_it(
    admin_client, make_account
):
    account = make_account(name="acme", credentials={"token": SECRET})
    url = f"/admin/core/provideraccount/{account.pk}/change/"
    form = {"name": "acme", "base_url": account.base_url, "enabled": "on", "options": "{}"}

    assert admin_client.post(url, {**form, "cred_token": ""}).status_code == 302
    account.refresh_from_db()
    assert account.credentials["token"] == SECRET

    assert admin_client.post(url, {**form, "cred_token": "rotated"}).status_code == 302
    account.refresh_from_db()
    assert account.credentials["token"] == "rotated"
