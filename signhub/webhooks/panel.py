"""The account page's webhook section: URL, setup words, last delivery, refusals, warning."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from signhub.connect import links
from signhub.core.models import AuditEvent, ProviderAccount, SignedDocument

from .models import WebhookState

REFUSALS_SHOWN = 5


def quiet_warning(account: ProviderAccount, state: WebhookState | None) -> str:
    """Documents changed (syncs wrote them) within the quiet window but no delivery was
    accepted in it: deliveries are probably not set up or cannot reach signhub."""
    now = timezone.now()
    window = timedelta(hours=settings.SIGNHUB_WEBHOOK_QUIET_HOURS)
    last = state.last_accepted_at if state else None
    if last is not None and now - last < window:
        return ""
    since = max(last, now - window) if last else now - window
    if not SignedDocument.objects.filter(account=account, last_seen_at__gt=since).exists():
        return ""
    hours = settings.SIGNHUB_WEBHOOK_QUIET_HOURS
    return (
        f"No delivery arrived in the last {hours} hours although documents changed: check the "
        "webhook setup and that the provider can reach the URL. Scheduled syncs keep "
        "working meanwhile."
    )


def webhook_panel(request: HttpRequest, account: ProviderAccount) -> dict | None:
    url = links.webhook_url(account, request)
    if url is None or account.connector_class.verify_webhook is None:
        return None
    state = WebhookState.objects.filter(account=account).first()
    refused = AuditEvent.objects.filter(
        action="webhook_refused", target__startswith=f"account:{account.pk} "
    ).order_by("-at", "-id")[:REFUSALS_SHOWN]
    return {
        "url": url,
        "setup": account.connector_class.webhook_setup,
        "state": state,
        "refused": [(e.at, e.details.get("reason", "")) for e in refused],
        "warning": quiet_warning(account, state),
        "can_create": account.connector_class.registers_webhooks,
    }
