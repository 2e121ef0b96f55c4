"""Server-side OAuth `state`: random, single use, bound to a staff session and an account."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from signhub.core.crypto import EncryptedJSONField
from signhub.core.models import ProviderAccount


class ConnectState(models.Model):
    """One "Connect" click. Only a digest of the state value is stored (the value itself
    travels in URLs); the PKCE verifier is encrypted like every credential."""

    digest = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey(ProviderAccount, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_digest = models.CharField(max_length=64)
    redirect_uri = models.CharField(max_length=500)
    secrets = EncryptedJSONField(blank=True, default=dict)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="connectstate_created_idx")]

    def __str__(self) -> str:
        return f"connect state for account {self.account_id}"
