"""Binding the e-signature events at install, and reading them offline for portals that
cannot reach signhub (https://apidocs.bitrix24.com/api-reference/events/event-bind.html,
…/events/offline-events/event-offline-get.html).

`event.bind` needs the application's context (its OAuth token), so it runs right after an
install or a Connect with Bitrix24 stored the tokens — and again on every reconnect (a
handler already bound is fine). Option `events`: `push` (default: the portal posts each
event to the account's webhook_url) or `offline` (the portal keeps them; the scheduler's
every pass reads them with `event.offline.get`, which also clears them).
"""

from __future__ import annotations

from typing import Any

from signhub.core.errors import ConnectorError

from .webhooks import EVENTS

# `connector` below is the account's Bitrix24Connector (its auth and client).

PUSH, OFFLINE = "push", "offline"
MODES = (PUSH, OFFLINE)


def mode(options: dict | None) -> str:
    value = str((options or {}).get("events") or PUSH).strip().lower()
    return value if value in MODES else PUSH


def bind(connector: Any, handler: str | None) -> list[str]:
    """Bind both events (push to `handler`, or offline); returns the events bound."""
    offline = mode(connector.account.options) == OFFLINE
    if not offline and not handler:
        return []
    connector.auth.prepare(connector.base_url)
    bound = []
    for event in EVENTS:
        params = {"event": event, "event_type": "offline"} if offline else {}
        if not offline:
            params = {"event": event, "handler": handler}
        try:
            connector.auth.call(lambda p=params: connector.client.call("event.bind", p))
        except ConnectorError as exc:
            # Rebinding on a reconnect: a handler bound before is what we want.
            if "already" not in f"{exc.code} {exc.message}".lower():
                raise
        bound.append(event)
    return bound


def take_offline(connector: Any) -> int:
    """Read (and clear) the events the portal kept; returns how many there were."""
    connector.auth.prepare(connector.base_url)
    data = connector.auth.call(lambda: connector.client.call("event.offline.get", {"clear": 1}))
    result = data.get("result") if isinstance(data, dict) else None
    events = result.get("events") if isinstance(result, dict) else None
    return len([e for e in events or [] if isinstance(e, dict) and e.get("EVENT_NAME") in EVENTS])
