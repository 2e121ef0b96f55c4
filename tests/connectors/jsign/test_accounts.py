"""`add_account jsign` with the contract keys, and the credential form's rules."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from signhub.connectors.jsign.forms import JSignForm
from signhub.core.models import ProviderAccount

pytestmark = pytest.mark.django_db


def add(*args: str) -> None:
    call_command("add_account", "jsign", *args)


def test_add_account_accepts_the_token_keys(capsys):
    add(
        "--name",
        "tokens",
        "--credential",
        "access_token=a",
        "--credential",
        "refresh_token=r",
        "--credential",
        "expires_in=1767225600",
    )
    account = ProviderAccount.objects.get(name="tokens")
    assert account.base_url == "https://api.jsign.com"
    assert account.credentials == {
        "access_token": "a",
        "refresh_token": "r",
        "expires_in": "1767225600",
    }
    assert capsys.readouterr().out.strip() == str(account.pk)


def test_add_account_accepts_the_login_keys_and_a_base_url():
    add(
        "--name",
        "login",
        "--base-url",
        "https://qa-api.jsign.com/",
        "--credential",
        "api_key=k",
        "--credential",
        "api_secret=s",
        "--credential",
        "email=hr@example.com",
        "--credential",
        "password=p",
        "--option",
        "page_size=100",
    )
    account = ProviderAccount.objects.get(name="login")
    assert account.base_url == "https://qa-api.jsign.com"
    assert set(account.credentials) == {"api_key", "api_secret", "email", "password"}


@pytest.mark.parametrize(
    "args",
    [
        ["--credential", "token=a"],  # not a JSign key
        ["--credential", "api_key=k", "--credential", "api_secret=s"],  # half a login
        [],  # nothing to authenticate with
        ["--credential", "access_token=a", "--option", "statuses=Signed"],
    ],
)
def test_add_account_rejects_bad_input_with_exit_code_2(args):
    with pytest.raises(CommandError, match="^add_account: ") as caught:
        add("--name", "bad", *args)
    assert caught.value.returncode == 2
    assert not ProviderAccount.objects.filter(name="bad").exists()


def test_the_form_explains_a_missing_login_part():
    form = JSignForm(data={"api_key": "k", "api_secret": "s", "email": "a@b.example"})
    assert not form.is_valid()
    assert "missing: password" in str(form.errors)
