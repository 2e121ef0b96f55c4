"""add_account with the contract keys, and the credential form's one-sentence errors."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from signhub.connectors.box.forms import BoxForm
from signhub.connectors.box.options import include_shared, token_url
from signhub.core.models import ProviderAccount


def add(*args):
    call_command("add_account", "box", *args)


@pytest.mark.parametrize(
    ("pairs", "mode"),
    [
        (
            ["client_id=c", "client_secret=s", "access_token=a", "refresh_token=r"],
            "oauth",
        ),
        (
            ["client_id=c", "client_secret=s", "subject_type=enterprise", "subject_id=42"],
            "ccg",
        ),
        (["access_token=dev"], "developer"),
    ],
)
def test_add_account_accepts_each_way_to_connect(db, pairs, mode):
    args = ["--name", "hr-box"]
    for pair in pairs:
        args += ["--credential", pair]
    add(*args, "--option", "include_shared=false", "--option", "token_url=oauth2/token")
    account = ProviderAccount.objects.get(name="hr-box")
    assert account.base_url == "https://api.box.com"
    given = dict(p.split("=", 1) for p in pairs)
    # subject_type/subject_id are options now; given as --credential they still land there.
    subject = {k: given.pop(k) for k in ("subject_type", "subject_id") if k in given}
    assert account.credentials == given
    assert account.options == {"include_shared": False, "token_url": "oauth2/token", **subject}
    assert account.connector().client.auth.mode == mode


@pytest.mark.parametrize(
    "args",
    [
        ["--credential", "api_key=x"],  # not a Box key
        ["--credential", "access_token=a", "--option", "shared=true"],
        ["--credential", "client_id=c"],  # an OAuth app needs its secret too
        ["--credential", "refresh_token=r"],
        [
            "--credential",
            "client_id=c",
            "--credential",
            "client_secret=s",
            "--credential",
            "subject_type=team",
            "--credential",
            "subject_id=1",
        ],
        ["--credential", "access_token=a", "--option", "include_shared=maybe"],
        ["--credential", "access_token=a", "--option", "token_url=http://evil.example/t"],
        [],
    ],
)
def test_add_account_rejects_bad_input_with_exit_code_2(db, args):
    with pytest.raises(CommandError, match="^add_account: ") as info:
        add("--name", "bad", *args)
    assert info.value.returncode == 2
    assert not ProviderAccount.objects.exists()


def test_absent_include_shared_means_true_and_words_are_understood():
    assert include_shared({}) is True
    assert include_shared({"include_shared": ""}) is True
    for word in ("false", "FALSE", "0", "no", "off", False, 0):
        assert include_shared({"include_shared": word}) is False
    for word in ("true", "1", "yes", True):
        assert include_shared({"include_shared": word}) is True


def test_token_url_defaults_under_the_base_url():
    base = "http://127.0.0.1:8000/sandbox/box"
    assert token_url({}, base) == f"{base}/oauth2/token"
    assert token_url({"token_url": "/oauth2/token"}, base) == f"{base}/oauth2/token"
    assert token_url({"token_url": "https://x.example/t"}, base) == "https://x.example/t"


def test_the_form_explains_mixed_modes_in_one_sentence():
    form = BoxForm(
        data={
            "client_id": "c",
            "client_secret": "s",
            "refresh_token": "r",
            "subject_type": "user",
            "subject_id": "1",
        }
    )
    assert not form.is_valid()
    assert form.errors["__all__"] == [
        "Choose one way to connect: a refresh_token (OAuth 2.0) or subject_type/subject_id "
        "(Client Credentials Grant), not both."
    ]
