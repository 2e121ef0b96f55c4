"""The small interface every provider connector implements, and the records it yields.

A connector lists documents page by page (normalized `DocumentRecord`s), opens a file as a
stream, and checks its connection. It owns the provider's HTTP details (through
`signhub.core.http.HttpClient`), never touches views, and never writes documents itself:
the sync engine does that.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from django.db import transaction

from .errors import ConnectorError

if TYPE_CHECKING:
    from django import forms

    from .http import HttpClient
    from .models import ProviderAccount, SignedDocument


@dataclass
class SignerRecord:
    email: str = ""
    name: str = ""
    role: str = "signer"
    status: str = ""  # the provider's per-signer status, as sent
    order: int | None = None
    decided_at: datetime | None = None  # when this signer signed/declined, aware UTC

    def to_json(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "name": self.name,
            "role": self.role,
            "status": self.status,
            "order": self.order,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
        }


@dataclass
class FileRecord:
    """A file the provider offers for a document. `key` is unique within the document and
    appears in download URLs; `handle` is whatever the connector needs to fetch it later
    (ids, never URLs that embed tokens)."""

    key: str
    name: str
    kind: str = "signed"  # signed | audit | original | attachment
    handle: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, "kind": self.kind, "handle": self.handle}


@dataclass
class DocumentRecord:
    external_id: str
    title: str
    status: str  # a DocumentStatus value
    provider_status: str = ""
    sender_name: str = ""
    sender_email: str = ""
    signers: list[SignerRecord] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    files: list[FileRecord] = field(default_factory=list)
    created_at: datetime | None = None
    sent_at: datetime | None = None
    completed_at: datetime | None = None
    expires_at: datetime | None = None
    last_activity_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class Page:
    documents: list[DocumentRecord]
    expected_total: int | None = None  # when the provider tells us, for progress bars


@dataclass
class SyncContext:
    """What a connector may know about the sync in progress.

    `state` is the account's connector-owned bookkeeping (high-water marks, cursors); the
    engine saves it only when the sync succeeds. `known_ids(ids)` says which of these
    external ids are already in the index (for "stop at the first known id" strategies).
    """

    full: bool
    state: dict[str, Any]
    known_ids: Callable[[Iterable[str]], set[str]]
    # Set True by a connector that listed everything even though the sync was incremental
    # (e.g. its API has no "changed since" filter): the engine may then sweep removals.
    listing_complete: bool = False


@dataclass
class FileStream:
    chunks: Iterator[bytes]
    content_type: str = "application/octet-stream"
    filename: str = ""
    size: int | None = None
    close: Callable[[], None] = lambda: None


_refresh_locks: dict[int, threading.Lock] = {}
_refresh_locks_guard = threading.Lock()


def _refresh_lock(account_id: int) -> threading.Lock:
    with _refresh_locks_guard:
        return _refresh_locks.setdefault(account_id, threading.Lock())


class Connector:
    """Base class. Subclasses set the class attributes and implement the three methods."""

    provider: ClassVar[str]  # registry key, e.g. "box"
    label: ClassVar[str]  # human name, e.g. "Box Sign"
    default_base_url: ClassVar[str]
    credential_form: ClassVar[type[forms.Form]]
    docs_url: ClassVar[str] = ""

    def __init__(self, account: ProviderAccount, *, http: HttpClient | None = None) -> None:
        self.account = account
        self.http = http or self.make_http()

    # -- to implement -----------------------------------------------------------------

    def make_http(self) -> HttpClient:
        from .http import HttpClient

        return HttpClient(name=self.label)

    def iter_pages(self, ctx: SyncContext) -> Iterator[Page]:
        raise NotImplementedError

    def open_file(self, document: SignedDocument, file_key: str) -> FileStream:
        raise NotImplementedError

    def check_connection(self) -> str:
        """Make one cheap authenticated call; return a short success description."""
        raise NotImplementedError

    # -- helpers for subclasses ---------------------------------------------------------

    @property
    def base_url(self) -> str:
        return (self.account.base_url or self.default_base_url).rstrip("/")

    @property
    def credentials(self) -> dict[str, Any]:
        return self.account.credentials

    def option(self, key: str, default: Any = None) -> Any:
        return (self.account.options or {}).get(key, default)

    def rotate_credentials(self, refresh: Callable[[dict[str, Any]], dict[str, Any]]) -> dict:
        """Refresh tokens safely: under the account row lock, stored before they are used.

        `refresh(current)` performs the provider call and returns the changed credential
        keys. If another worker rotated the tokens since this connector loaded them, their
        tokens are used and no second refresh is sent (single-use refresh tokens would
        otherwise lock the account out).
        """
        from .models import ProviderAccount

        seen = dict(self.account.credentials)
        with _refresh_lock(self.account.pk), transaction.atomic():
            row = (
                ProviderAccount.objects.select_for_update()
                .only("id", "credentials")
                .get(pk=self.account.pk)
            )
            current = row.credentials
            if current != seen:
                self.account.credentials = current
                return current
            updated = {**current, **refresh(dict(current))}
            row.credentials = updated
            row.save(update_fields=["credentials"])
        self.account.credentials = updated
        return updated

    def with_refresh(self, call: Callable[[], Any], refresh: Callable[[], None]) -> Any:
        """Run `call`; if the token expired, `refresh()` once and try again.

        A second auth failure, or a failed refresh, becomes `needs_reconnect`.
        """
        try:
            return call()
        except ConnectorError as exc:
            if not exc.refresh:
                raise
        refresh()
        try:
            return call()
        except ConnectorError as exc:
            if exc.refresh:
                exc.needs_reconnect = True
                exc.refresh = False
            raise
