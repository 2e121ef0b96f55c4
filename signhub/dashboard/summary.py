"""The list page's one-line account status, from the accounts the page already loaded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from signhub.core.models import ProviderAccount


@dataclass(frozen=True)
class AccountSummary:
    """The list page's one line: "4 accounts · 1 failing · synced 3 minutes ago"."""

    total: int
    failing: int
    reconnect: int
    latest_success: datetime | None


def summarize(accounts: list[ProviderAccount]) -> AccountSummary:
    enabled = [a for a in accounts if a.enabled]
    successes = [a.last_success_at for a in enabled if a.last_success_at]
    return AccountSummary(
        total=len(accounts),
        failing=sum(1 for a in enabled if a.last_sync_failed),
        reconnect=sum(1 for a in enabled if a.needs_reconnect),
        latest_success=max(successes, default=None),
    )
