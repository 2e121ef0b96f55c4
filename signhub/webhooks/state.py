"""Each account's webhook state (last delivery, counts), kept in one row per account."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F

from signhub.core.models import ProviderAccount

from .models import WebhookState


def _update(account: ProviderAccount, **fields) -> None:
    row, _ = WebhookState.objects.get_or_create(account=account)
    WebhookState.objects.filter(pk=row.pk).update(**fields)


def accepted(account: ProviderAccount, event: str, now: datetime) -> None:
    _update(
        account,
        last_delivery_at=now,
        last_event=event[:64],
        last_result="accepted",
        last_accepted_at=now,
        accepted=F("accepted") + 1,
    )


def refused(account: ProviderAccount, reason: str, now: datetime) -> None:
    _update(
        account,
        last_delivery_at=now,
        last_event="",
        last_result="refused",
        last_refused_at=now,
        last_refused_reason=reason[:200],
        refused=F("refused") + 1,
    )
