"""Bitrix24 people: the user ids of the company-safe rows resolved through `user.get`.

One call per at most 50 ids, and only for ids not known yet; what the portal said is kept
in the account's sync state per portal and read again only by a full sync. When the app
may not read users (no `user_brief` scope), the sync says so once on the account and
people stay "Bitrix24 user 19".
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from signhub.core.connector import SyncContext
from signhub.core.errors import ConnectorError

from .client import USERS_PER_CALL, Bitrix24Client
from .mapping import People, person, user_id, user_ids

logger = logging.getLogger("signhub.connectors.bitrix24")

STATE_KEY = "people"
# What user.get answers an app (or user) that may not read users.
NO_USER_ACCESS = {"insufficient_scope", "ACCESS_DENIED", "user_access_error"}
NO_SCOPE_WORDS = (
    "The Bitrix24 application may not read the portal's users (scope user_brief), so "
    "senders and signers show as user numbers and the employee view cannot find them by "
    "e-mail; add the user_brief scope to the application to see names and e-mails."
)


class PeopleBook:
    """The portal's people known to this sync (`users`), filled page by page."""

    def __init__(self, ctx: SyncContext, client: Bitrix24Client, auth: Any, portal: str) -> None:
        self.ctx, self.client, self.auth, self.portal = ctx, client, auth, portal
        saved = ctx.state.get(STATE_KEY) or {}
        fresh = ctx.full or saved.get("portal") != portal
        self.users: People = {} if fresh else dict(saved.get("users") or {})
        self.blocked = False if fresh else bool(saved.get("blocked"))
        self.calls = 0
        if self.blocked:
            self._say_blocked(saved.get("provider_says", ""))

    def resolve(self, rows: Iterable[dict[str, Any]]) -> None:
        """Ask `user.get` about the ids of these rows that are not known yet."""
        if self.blocked:
            return
        wanted = sorted({u for row in rows for u in user_ids(row)} - set(self.users), key=int)
        for start in range(0, len(wanted), USERS_PER_CALL):
            chunk = wanted[start : start + USERS_PER_CALL]
            try:
                found = self.auth.call(lambda chunk=chunk: self.client.users(chunk))
            except ConnectorError as exc:
                if exc.code not in NO_USER_ACCESS:
                    raise
                self.blocked = True
                self._say_blocked(f"user.get: {exc.code}")
                break
            self.calls += 1
            for row in found:
                uid = user_id(row.get("ID"))
                if uid:
                    self.users[uid] = person(row)
            for uid in chunk:
                self.users.setdefault(uid, {})  # gone or hidden: not asked again
        self._save()

    def _say_blocked(self, provider_says: str) -> None:
        self.ctx.note(STATE_KEY, NO_SCOPE_WORDS, provider_says)
        self._save(provider_says)

    def _save(self, provider_says: str = "") -> None:
        state = {"portal": self.portal, "users": self.users, "blocked": self.blocked}
        if self.blocked:
            state["provider_says"] = provider_says or self.ctx.state.get(STATE_KEY, {}).get(
                "provider_says", ""
            )
        self.ctx.state[STATE_KEY] = state
