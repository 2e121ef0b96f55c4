"""add_account boldsign with the contract keys; the form explains bad input."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from signhub.connectors.boldsign.forms import BoldSignForm
from signhub.connectors.boldsign.regions import token_url
from signhub.core.models import ProviderAccount


def add(*args):
    call_command("add_account", "boldsign", *args)


@pytest.mark.parametrize(
    ("region", "host"),
    [
        ("us", "https://api.boldsign.com"),
        ("eu", "https://api-eu.boldsign.com"),
        ("CA", "https://api-ca.boldsign.com"),
        ("au", "https://api-au.boldsign.com"),
    ],
)
def test_region_picks_the_base_url(db, region, host):
    add("--name", f"bs-{region}", "--credential", "api_key=k", "--option", f"region={region}")
    account = ProviderAccount.objects.get(name=f"bs-{region}")
    assert account.base_url == host
    assert account.credentials == {"api_key": "k"}


def test_no_region_means_us_and_default_lists(db):
    add("--name", "bs", "--credential", "api_key=k")
    account = ProviderAccount.objects.get(name="bs")
    assert account.base_url == "https://api.boldsign.com"
    assert account.options["lists"] == "list,behalf_others,behalf_me"


def test_explicit_base_url_wins_over_region(db):
    add("--name", "bs", "--base-url", "http://127.0.0.1:9999/bs", "--option", "region=eu",
        "--credential", "api_key=k")  # fmt: skip
    assert ProviderAccount.objects.get(name="bs").base_url == "http://127.0.0.1:9999/bs"


def test_client_credentials_and_options_are_accepted(db):
    add("--name", "bs", "--credential", "client_id=c", "--credential", "client_secret=s",
        "--option", "grant_type=client_credentials",
        "--option", "token_url=https://account-eu.boldsign.com/connect/token",
        "--option", "lists=team, behalf_me,team")  # fmt: skip
    account = ProviderAccount.objects.get(name="bs")
    assert account.credentials == {"client_id": "c", "client_secret": "s"}
    assert account.options["lists"] == "team,behalf_me"
    assert account.connection_state == "connected"  # the app's own account: no consent


def test_an_oauth_app_without_a_grant_type_waits_for_connect(db):
    add("--name", "bs", "--credential", "client_id=c", "--credential", "client_secret=s")
    assert ProviderAccount.objects.get(name="bs").connection_state == "waiting"


@pytest.mark.parametrize(
    "args",
    [
        ["--credential", "token=k"],  # not a contract key
        ["--credential", "api_key=k", "--option", "colour=red"],
        ["--credential", "client_id=c"],  # secret missing
        [],  # no credentials at all
        ["--credential", "api_key=k", "--option", "region=mars"],
        ["--credential", "api_key=k", "--option", "lists=list,archive"],
    ],
)
def test_bad_input_exits_with_code_2(db, args):
    with pytest.raises(CommandError, match="^add_account: ") as exc:
        add("--name", "bs", *args)
    assert exc.value.returncode == 2
    assert not ProviderAccount.objects.filter(name="bs").exists()


def test_form_explains_a_missing_secret_in_one_sentence():
    form = BoldSignForm(data={"client_id": "c"})
    assert not form.is_valid()
    assert "client_secret" in " ".join(form.errors["__all__"])


def test_token_url_defaults():
    assert token_url("https://api-eu.boldsign.com", "eu", None) == (
        "https://account-eu.boldsign.com/connect/token"
    )
    # A proxy/simulator base URL keeps the secret on the configured host.
    assert token_url("http://127.0.0.1:8000/sandbox/boldsign", "us", None) == (
        "http://127.0.0.1:8000/sandbox/boldsign/connect/token"
    )
    assert token_url("http://127.0.0.1:8000/sb", "us", "connect/token") == (
        "http://127.0.0.1:8000/sb/connect/token"
    )
    assert token_url("https://api.boldsign.com", "us", "https://x.example/t") == (
        "https://x.example/t"
    )
