"""The small interface every provider connector implements, and the records it yields.

A connector lists documents page by page (normalized `DocumentRecord`s), opens a file as a
stream, and checks its connection. It owns the provider's HTTP details (through
`signhub.core.http.HttpClient`), never touches views, reads and writes the index only
through the `SyncContext` it is handed, and never writes documents itself: the sync engine
does that. Token storage goes through `signhub.core.credentials`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings

from .http import HttpClient, content_length, disposition_filename, media_type, shared_throttle
from .status import StatusTable

if TYPE_CHECKING:
    import requests
    from django import forms

    from .http.throttle import Throttled
    from .models import ProviderAccount, SignedDocument

CHUNK = 64 * 1024  # bytes per chunk when streaming a provider file


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


# What a file is, in words: only a "signed" file is a signed copy.
FILE_KINDS = {
    "signed": "signed copy",
    "original": "original (not signed)",
    "audit": "audit trail",
    "attachment": "attachment",
}


@dataclass
class FileRecord:
    """A file the provider offers for a document. `key` is unique within the document and
    appears in download URLs; `handle` is whatever the connector needs to fetch it later
    (ids, never URLs that embed tokens)."""

    key: str
    name: str
    kind: str = "signed"  # a FILE_KINDS key
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
    # Ended without completing (declined / cancelled / expired / failed): when, why, by whom.
    ended_at: datetime | None = None
    end_reason: str = ""
    ended_by: str = ""
    completed_at_approximate: bool = False
    document_hash: str = ""
    folder: str = ""
    listed_in: str = ""  # the connector's list it came from (partial access, sweeps)
    deleted: bool = False  # the provider marks it deleted: indexed as removed
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class Page:
    documents: list[DocumentRecord]
    expected_total: int | None = None  # when the provider tells us, for progress bars


@dataclass
class SyncContext:
    """What a connector may know about the sync in progress, and its only way to the index.

    `state` is the account's connector-owned bookkeeping (high-water marks, cursors); the
    engine saves it only when the sync succeeds. `known_ids(ids)` says which of these
    external ids are already in the index (for "stop at the first known id" strategies);
    `stored_raw(ids)` gives the raw payload stored for each of them (to reuse details that
    did not change instead of fetching them again).
    """

    full: bool
    state: dict[str, Any]
    known_ids: Callable[[Iterable[str]], set[str]]
    stored_raw: Callable[[Iterable[str]], dict[str, Any]] = lambda ids: {}
    # Set True by a connector that listed everything even though the sync was incremental
    # (e.g. its API has no "changed since" filter): the engine may then sweep removals.
    listing_complete: bool = False
    # Lists the provider would not show this time (`deny`), and facts about the account
    # to say once on it (`note`): {"list", "message", "provider_says"} each.
    denied: list[dict[str, str]] = field(default_factory=list)
    notes: list[dict[str, str]] = field(default_factory=list)

    def deny(self, list_key: str, message: str, provider_says: str = "") -> None:
        """One of the connector's lists is not accessible: the others still sync, the run
        is recorded partial with `message` (plain words for the account card) and the
        provider's own words, and documents earlier seen through it are not swept."""
        self.denied.append({"list": list_key, "message": message, "provider_says": provider_says})

    def note(self, key: str, message: str, provider_says: str = "") -> None:
        """Something the account cannot do (a missing scope), said once on its card."""
        if all(n["list"] != key for n in self.notes):
            self.notes.append({"list": key, "message": message, "provider_says": provider_says})


@dataclass
class FileStream:
    chunks: Iterator[bytes]
    content_type: str = "application/octet-stream"
    filename: str = ""
    size: int | None = None
    close: Callable[[], None] = lambda: None

    @classmethod
    def from_response(
        cls,
        response: requests.Response,
        *,
        name: str = "",
        default_type: str = "application/octet-stream",
        content_type: str | None = None,
    ) -> FileStream:
        """A provider's streamed file answer as a FileStream.

        The media type without parameters (`content_type` when the connector knows better,
        `default_type` when the header is absent), the file name from Content-Disposition
        (else `name`), the size when Content-Length is a number. Read to the end or closed
        early, the response is closed either way.
        """

        def chunks() -> Iterator[bytes]:
            try:
                yield from response.iter_content(CHUNK)
            finally:
                response.close()

        headers = response.headers
        return cls(
            chunks=chunks(),
            content_type=content_type or media_type(headers.get("Content-Type"), default_type),
            filename=disposition_filename(headers.get("Content-Disposition")) or name,
            size=content_length(headers),
            close=response.close,
        )


class Connector:
    """Base class. Subclasses set the class attributes and implement the three methods.

    The pieces live in the connector's own app, the same file names everywhere: `client`
    (raw calls), `auth`, `errors` (the HttpClient hooks), `mapping` (`to_record`),
    `statuses` (the one status table), `forms`, `sandbox`; this class only wires them.
    """

    provider: ClassVar[str]  # registry key, e.g. "box"
    label: ClassVar[str]  # human name, e.g. "Box Sign"
    default_base_url: ClassVar[str]
    credential_form: ClassVar[type[forms.Form]]
    statuses: ClassVar[Mapping[str, Any]] = StatusTable("", {})  # the app's `STATUSES`
    # Client-side pace (requests per second, burst) under the provider's documented limit;
    # None: no throttle. The bucket is shared per `throttle_key()` by every thread.
    rate_per_second: ClassVar[float | None] = None
    burst: ClassVar[int] = 1
    # How an administrator connects an account (signhub.connect.flows.ConnectFlow subclass)
    # when the provider has a consent screen or an app install; None: credentials only.
    connect_flow: ClassVar[type | None] = None
    # The provider delivers events to the account's webhook_url (signhub.webhooks), and the
    # connector's `webhooks.verify(inbound, credentials, now)` checks them (signhub.core.webhooks).
    receives_webhooks: ClassVar[bool] = False
    verify_webhook: ClassVar[Callable[..., Any] | None] = None
    webhook_setup: ClassVar[str] = ""  # what an administrator does (webhooks.SETUP)
    # `register_webhook(target, address)` creates the provider's webhook (Box: on a folder).
    registers_webhooks: ClassVar[bool] = False
    # No webhooks: accounts with documents in progress are polled more often (the scheduler,
    # SIGNHUB_JSIGN_ACTIVE_POLL_MINUTES).
    adaptive_polling: ClassVar[bool] = False
    # `refresh_pages` can fetch single documents again (a webhook named them).
    refreshes_documents: ClassVar[bool] = False

    def __init__(self, account: ProviderAccount, *, http: HttpClient | None = None) -> None:
        self.account = account
        self.http = http or self.make_http()

    # -- to implement -----------------------------------------------------------------

    def make_http(self) -> HttpClient:
        """The one place a connector sets its HTTP hooks and throttle."""
        return HttpClient(name=self.label, throttle=self.throttle())

    def iter_pages(self, ctx: SyncContext) -> Iterator[Page]:
        raise NotImplementedError

    def refresh_pages(self, ctx: SyncContext, external_ids: list[str]) -> Iterator[Page]:
        """These documents fetched again, as pages the engine writes like a sync's (only
        for `refreshes_documents`); one the provider no longer shows is left out."""
        raise NotImplementedError

    def register_webhook(self, target: str, address: str) -> str:
        """Create the provider's webhook for `target` delivering to `address`; its id."""
        raise NotImplementedError

    @classmethod
    def polls_events(cls, options: Mapping[str, Any]) -> bool:
        """True when the provider keeps this account's events for signhub to fetch (a portal
        that cannot reach signhub): the scheduler then calls `take_events` on each pass."""
        return False

    def take_events(self) -> int:
        """Fetch (and clear) the events the provider kept; how many ask for a sync."""
        return 0

    def open_file(self, document: SignedDocument, file_key: str) -> FileStream:
        raise NotImplementedError

    def check_connection(self) -> str:
        """Make one cheap authenticated call; return a short success description."""
        raise NotImplementedError

    @staticmethod
    def record_from_raw(raw: dict[str, Any]) -> DocumentRecord | None:
        """The record a stored `raw` payload maps to with today's mapping, or None when
        it cannot be rebuilt from it (backfill migrations, `manage.py remap_documents`)."""
        return None

    # -- helpers for subclasses ---------------------------------------------------------

    def throttle_key(self) -> str:
        """What the provider counts its rate limit per; by default the account."""
        return f"{self.provider}:{self.account.pk}"

    def throttle(self) -> Throttled | None:
        if self.rate_per_second is None or not settings.SIGNHUB_CLIENT_THROTTLE:
            return None
        return shared_throttle(self.throttle_key(), self.rate_per_second, self.burst)

    @property
    def base_url(self) -> str:
        return (self.account.base_url or self.default_base_url).rstrip("/")

    @property
    def credentials(self) -> dict[str, Any]:
        return self.account.credentials

    def option(self, key: str, default: Any = None) -> Any:
        return (self.account.options or {}).get(key, default)
