"""Acme Sign sign-in: a static API key sent as a Bearer header.

A provider with expiring tokens renews them here, through
`signhub.core.credentials.rotate(account, refresh)` (never inside a transaction; stored
before use) and `credentials.with_refresh(call, refresh)` on a 401 — see the Box or JSign
connector for OAuth examples.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from signhub.core.models import ProviderAccount

T = TypeVar("T")


class AcmeAuth:
    def __init__(self, account: ProviderAccount) -> None:
        self.account = account

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.account.credentials.get('api_key', '')}"}

    def call(self, send: Callable[[dict[str, str]], T]) -> T:
        """Run `send(headers)` with the credentials (a key has nothing to renew)."""
        return send(self.headers())
