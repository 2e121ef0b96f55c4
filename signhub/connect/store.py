"""Storing what a connect flow obtained: credentials merged under the account row lock."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from signhub.core.models import ProviderAccount

from .flows import Grant


def store_grant(account: ProviderAccount, grant: Grant) -> ProviderAccount:
    """Merge the new credentials (and base URL), and mark the account connected.

    The row is locked while credentials are merged, and a token refresh in flight loses its
    claim (`signhub.core.credentials`): when it finishes it finds other credentials stored
    and keeps them, instead of writing back the old grant's tokens over the new ones.
    """
    with transaction.atomic():
        row = ProviderAccount.objects.select_for_update().get(pk=account.pk)
        row.credentials = {**row.credentials, **grant.credentials}
        if grant.base_url:
            row.base_url = grant.base_url
        row.awaiting_connect = False
        row.needs_reconnect = False
        row.connected_at = timezone.now()
        row.last_error = ""
        row.last_error_code = ""
        row.failures_in_a_row = 0
        row.credentials_claim = ""
        row.credentials_claim_until = None
        row.save(
            update_fields=[
                "credentials",
                "credentials_claim",
                "credentials_claim_until",
                "base_url",
                "awaiting_connect",
                "needs_reconnect",
                "connected_at",
                "last_error",
                "last_error_code",
                "failures_in_a_row",
            ]
        )
    account.refresh_from_db()
    return account
