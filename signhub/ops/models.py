"""Per-account sync schedules (the core account model stays provider-agnostic)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from signhub.core.models import ProviderAccount


class SyncSchedule(models.Model):
    """When one account syncs on its own: incremental every N minutes, full once a night.

    `next_run_at` doubles as the scheduler's claim: a scheduler enqueues a sync only after a
    conditional UPDATE moved it from the value it read, so two schedulers never both win.
    """

    account = models.OneToOneField(
        ProviderAccount, on_delete=models.CASCADE, related_name="schedule"
    )
    enabled = models.BooleanField(default=True)
    interval_minutes = models.PositiveIntegerField(
        default=15,
        validators=[MinValueValidator(1)],
        help_text="Incremental sync every this many minutes.",
    )
    full_sync_hour = models.PositiveSmallIntegerField(
        default=2,
        validators=[MaxValueValidator(23)],
        help_text="Hour of the day (UTC) after which the nightly full sync runs.",
    )
    next_run_at = models.DateTimeField(null=True, blank=True)
    last_full_enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when the account crossed the failure threshold (logged once), cleared on success.
    alerted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["account__name"]
        verbose_name = "sync schedule and health"
        verbose_name_plural = "sync schedules and health"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(full_sync_hour__lte=23), name="schedule_full_hour_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(interval_minutes__gte=1), name="schedule_interval_positive"
            ),
        ]
        indexes = [
            # The scheduler's "what is due" scan.
            models.Index(fields=["enabled", "next_run_at"], name="schedule_due_idx"),
        ]

    def __str__(self) -> str:
        return f"schedule of {self.account.name}"

    def last_full_boundary(self, now: datetime) -> datetime:
        """The most recent nightly full-sync time at or before `now` (UTC)."""
        boundary = now.replace(hour=self.full_sync_hour, minute=0, second=0, microsecond=0)
        return boundary if boundary <= now else boundary - timedelta(days=1)

    def full_due(self, now: datetime) -> bool:
        last = self.last_full_enqueued_at
        return last is None or last < self.last_full_boundary(now)

    def incremental_due(self, now: datetime) -> bool:
        return self.next_run_at is None or self.next_run_at <= now
