"""Credentials are encrypted at rest, rotatable, and never readable in a dump."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from signhub.core.crypto import decrypt_json
from signhub.core.models import ProviderAccount

SECRET = "super-secret-access-token-42"


def _raw_credentials(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM core_provideraccount WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_a_database_dump_shows_no_credential_in_plain_text(make_account):
    account = make_account(credentials={"token": SECRET})
    out = StringIO()
    call_command("dumpdata", "core", stdout=out)

    assert SECRET not in out.getvalue()
    assert SECRET not in _raw_credentials(account.pk)
    assert ProviderAccount.objects.get(pk=account.pk).credentials == {"token": SECRET}


def test_rotating_keys_re_encrypts_without_losing_data(make_account, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SIGNHUB_ENCRYPTION_KEYS = [old]
    account = make_account(credentials={"token": SECRET})
    before = _raw_credentials(account.pk)

    settings.SIGNHUB_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_credentials", stdout=StringIO())
    after = _raw_credentials(account.pk)

    settings.SIGNHUB_ENCRYPTION_KEYS = [new]  # the old key can now be dropped
    assert after != before
    assert decrypt_json(after) == {"token": SECRET}
    assert ProviderAccount.objects.get(pk=account.pk).credentials == {"token": SECRET}


def test_a_wrong_key_is_a_clear_error_not_garbage(make_account, settings):
    account = make_account(credentials={"token": SECRET})
    settings.SIGNHUB_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ValueError, match="SIGNHUB_ENCRYPTION_KEYS"):
        ProviderAccount.objects.get(pk=account.pk)
