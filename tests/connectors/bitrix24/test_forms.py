"""add_account with the contract keys; the form explains webhooks and bad combinations."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from signhub.connectors.bitrix24.forms import Bitrix24Form
from signhub.core.models import ProviderAccount
from signhub.core.sync import sync_account

CONTRACT = [
    "--credential=client_id=app.123",
    "--credential=client_secret=s3cret",
    "--credential=access_token=AT1",
    "--credential=refresh_token=RT1",
]


def add(*args):
    call_command("add_account", "bitrix24", "--name", "hr", *args)


def test_add_account_accepts_the_contract_keys(db, capsys):
    add(
        "--base-url",
        "https://acme.bitrix24.com/",
        *CONTRACT,
        "--option=lists=mysafe,personal",
        "--option=oauth_url=https://oauth.bitrix24.tech/oauth/token/",
    )
    account = ProviderAccount.objects.get(name="hr")
    assert account.base_url == "https://acme.bitrix24.com"
    assert account.credentials == {
        "client_id": "app.123",
        "client_secret": "s3cret",
        "access_token": "AT1",
        "refresh_token": "RT1",
    }
    assert account.options == {
        "lists": "mysafe,personal",
        "oauth_url": "https://oauth.bitrix24.tech/oauth/token/",
    }


@pytest.mark.parametrize(
    "bad",
    [
        ["--credential=webhook=x"],
        ["--option=page_size=10"],
        ["--option=lists=personal,archive"],
        ["--option=oauth_url=ftp://example.com/token"],
    ],
)
def test_add_account_exits_2_on_bad_input(db, bad):
    with pytest.raises(CommandError, match="^add_account: ") as exc:
        add("--base-url", "https://acme.bitrix24.com", *CONTRACT, *bad)
    assert exc.value.returncode == 2
    assert not ProviderAccount.objects.exists()


def test_a_pasted_webhook_url_is_explained(db):
    form = Bitrix24Form(
        data={"access_token": "https://acme.bitrix24.com/rest/1/abc123def456/", "client_id": "x"}
    )
    assert not form.is_valid()
    message = " ".join(form.non_field_errors())
    assert "WRONG_AUTH_TYPE" in message and "OAuth" in message


def test_a_refresh_token_needs_the_client_pair(db):
    form = Bitrix24Form(data={"refresh_token": "RT1"})
    assert not form.is_valid()
    assert "client_id and client_secret" in " ".join(form.non_field_errors())


def test_the_application_keys_alone_wait_for_the_install(db):
    """Keys without tokens are valid: the portal's install (or Connect) brings the tokens."""
    form = Bitrix24Form(data={"client_id": "a", "client_secret": "b"})
    assert form.is_valid(), form.errors
    assert Bitrix24Form.awaits_connect(form.credentials(), form.options())
    assert not Bitrix24Form(data={"client_id": "a"}).is_valid()
    assert not Bitrix24Form(data={}).is_valid()


def test_a_relative_oauth_url_is_accepted(db):
    form = Bitrix24Form(data={"access_token": "AT1", "oauth_url": "oauth/token/"})
    assert form.is_valid(), form.errors
    assert form.options() == {"oauth_url": "oauth/token/"}


def test_a_webhook_base_url_fails_the_sync_with_the_explanation(make_account):
    account = make_account(
        "bitrix24",
        base_url="https://acme.bitrix24.com/rest/1/abc123def456",
        credentials={"access_token": "AT1"},
    )
    run = sync_account(account, full=True)
    account.refresh_from_db()
    assert run.state == "failed"
    assert account.needs_reconnect
    assert "webhook" in run.error_message
