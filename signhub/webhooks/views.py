"""The one receiver at every account's `webhook_url`; the connector verifies, this files.

Public and CSRF-exempt (providers post it), POST only, the body capped at
SIGNHUB_WEBHOOK_MAX_BODY bytes and read raw. The connector's `verify_webhook` checks the
signature on those bytes before anything is parsed; a verified delivery's identifiers go
into the replay guard (a second arrival is refused), and its refresh is queued for the
task worker, so the answer comes in milliseconds and no provider is called here. Every
refusal is one audit event (provider, account, reason) and a 4xx that changed nothing;
payloads are never logged or stored.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from signhub.core import audit
from signhub.core.models import ProviderAccount
from signhub.core.webhooks import Delivery, Inbound, Refused

from . import state
from .models import ReplayGuard
from .refresh import request_refresh

logger = logging.getLogger("signhub.webhooks")


@csrf_exempt
@never_cache
@require_POST
def receive(request: HttpRequest, key: str) -> JsonResponse:
    account = ProviderAccount.objects.filter(endpoint_key=key).first()
    verify = account.connector_class.verify_webhook if account else None
    if account is None or verify is None:
        return JsonResponse(
            {"code": "webhooks_not_enabled", "message": "No webhook receiver here."}, status=404
        )
    now = timezone.now()
    try:
        body = _read_body(request)
        delivery = verify(
            Inbound(body=body, headers=request.headers, content_type=request.content_type or ""),
            account.credentials,
            now,
        )
        if not delivery.acknowledge_only:
            _guard_replay(account, delivery, now)
    except Refused as refused:
        return _refuse(request, account, refused)
    if not delivery.acknowledge_only:
        request_refresh(account, delivery.document_id)
    state.accepted(account, delivery.event, now)
    return JsonResponse({"ok": True, "event": delivery.event})


def _read_body(request: HttpRequest) -> bytes:
    limit = settings.SIGNHUB_WEBHOOK_MAX_BODY
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise Refused("too_large", f"The body is larger than {limit} bytes.", status=413)
    body = request.read(limit + 1)
    if len(body) > limit:
        raise Refused("too_large", f"The body is larger than {limit} bytes.", status=413)
    return body


def _guard_replay(account: ProviderAccount, delivery: Delivery, now) -> None:
    expires = now + timedelta(hours=settings.SIGNHUB_WEBHOOK_REPLAY_HOURS)
    try:
        with transaction.atomic():
            for key in delivery.replay_keys:
                ReplayGuard.objects.create(account=account, key=key[:200], expires_at=expires)
    except IntegrityError:
        raise Refused("replayed", "This delivery was received before.", status=409) from None


def _refuse(request: HttpRequest, account: ProviderAccount, refused: Refused) -> JsonResponse:
    audit.record(
        request,
        "webhook_refused",
        f"account:{account.pk} {account.name}",
        result="refused",
        provider=account.provider,
        account=account.name,
        reason=refused.reason,
    )
    state.refused(account, refused.reason, timezone.now())
    logger.info("Webhook for %s refused: %s", account.name, refused.reason)
    return JsonResponse({"code": refused.reason, "message": refused.message}, status=refused.status)
