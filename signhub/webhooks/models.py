"""Webhook bookkeeping: replay guard, pending refreshes, and each account's delivery state."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from signhub.core.models import ProviderAccount


class ReplayGuard(models.Model):
    """An identifier of an accepted delivery (delivery id, event id, body hash), kept until
    `expires_at` so the same delivery is refused the second time. The unique constraint is
    the check: two workers racing on one replay cannot both insert it. Pruned by `prune`."""

    account = models.ForeignKey(ProviderAccount, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "key"], name="webhook_replay_unique")
        ]
        indexes = [models.Index(fields=["expires_at"], name="webhook_replay_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.key} of account {self.account_id}"


class PendingRefresh(models.Model):
    """A refresh a verified event asked for and no worker has taken yet: one row per
    document (`external_id`), or "" for an incremental sync of the account. A second event
    for the same document finds the row and adds nothing: duplicates collapse."""

    account = models.ForeignKey(ProviderAccount, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=255, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "external_id"], name="webhook_pending_unique"
            )
        ]

    def __str__(self) -> str:
        return f"refresh {self.external_id or '(account)'} of account {self.account_id}"


class WebhookState(models.Model):
    """What the account page shows: the last delivery, and counts of accepted and refused."""

    account = models.OneToOneField(
        ProviderAccount, on_delete=models.CASCADE, related_name="webhook_state"
    )
    last_delivery_at = models.DateTimeField(null=True, blank=True)
    last_event = models.CharField(max_length=64, blank=True)
    last_result = models.CharField(max_length=16, blank=True)  # accepted | refused
    last_accepted_at = models.DateTimeField(null=True, blank=True)
    last_refused_at = models.DateTimeField(null=True, blank=True)
    last_refused_reason = models.CharField(max_length=200, blank=True)
    accepted = models.PositiveBigIntegerField(default=0)
    refused = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "webhook state"

    def __str__(self) -> str:
        return f"webhooks of account {self.account_id}"
