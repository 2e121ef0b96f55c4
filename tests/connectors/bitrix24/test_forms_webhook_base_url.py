"""A pasted inbound-webhook URL as the portal address is explained when the account is added."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from signhub.core.models import ProviderAccount


@pytest.mark.django_db
def test_a_webhook_base_url_is_refused_with_the_reason():
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command(
            "add_account",
            "bitrix24",
            "--name",
            "hr",
            "--base-url",
            "https://acme.bitrix24.com/rest/1/abcdef123456/",
            "--credential",
            "client_id=a",
            "--credential",
            "client_secret=b",
            "--credential",
            "access_token=c",
            "--credential",
            "refresh_token=d",
            stderr=err,
        )
    assert exc.value.returncode == 2
    assert "webhook" in str(exc.value).lower()
    assert not ProviderAccount.objects.exists()
