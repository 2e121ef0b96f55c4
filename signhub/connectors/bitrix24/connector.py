"""Bitrix24 e-Signature for HR: the personal and company-safe lists of signed documents.

Paging: limit=50 + offset, advanced by the rows actually received; the end is an EMPTY page
(the server clamps limits it dislikes to 20, so a short page proves nothing). Lists are
newest first; an incremental sync stops after a page whose ids are all indexed already.
Tokens: see auth.py. A renamed portal is followed (client.py) and its new address kept in
the sync state, so later syncs skip the redirect.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

from signhub.core.connector import Connector, DocumentRecord, FileStream, Page, SyncContext
from signhub.core.errors import ConnectorError, NotFound
from signhub.core.http import HttpClient, UrlPolicy
from signhub.core.registry import registry

from . import errors, events, webhooks
from .auth import Bitrix24Auth
from .client import Bitrix24Client
from .forms import DEFAULT_OAUTH_URL, PLACEHOLDER_PORTAL, Bitrix24Form, parse_lists
from .install import Bitrix24Connect
from .mapping import LIST_ORDER, METHODS, MYSAFE, PERSONAL, DocumentMerger, row_id, to_record
from .people import PeopleBook
from .portal import host, portal_root, resolve
from .statuses import STATUSES
from .whereabouts import FALLBACK, PageStarts, find_near, hint

if TYPE_CHECKING:
    from signhub.core.models import SignedDocument

logger = logging.getLogger("signhub.connectors.bitrix24")

# What the account card says when a list answers ACCESS_DENIED.
DENIED_WORDS = {
    MYSAFE: "This user cannot see the company safe; personal documents are synced.",
    PERSONAL: "This user's personal documents could not be read; the company safe is synced.",
}


@registry.register
class Bitrix24Connector(Connector):
    provider = "bitrix24"
    label = "Bitrix24 e-Signature for HR"
    default_base_url = PLACEHOLDER_PORTAL
    credential_form = Bitrix24Form
    connect_flow = Bitrix24Connect
    receives_webhooks = True
    verify_webhook = staticmethod(webhooks.verify)
    webhook_setup = webhooks.SETUP
    statuses = STATUSES
    # https://apidocs.bitrix24.com/settings/performance/limits.html — leaky bucket per portal,
    # 2 req/s with bursts of 50 (Enterprise: 5/s, 250). We stay a little under the smaller
    # one, since other apps on the same portal (and IP) share the bucket.
    rate_per_second = 1.8
    burst = 40

    def throttle_key(self) -> str:
        return f"bitrix24:{host(self.base_url)}"  # Bitrix24 counts per portal

    def make_http(self) -> HttpClient:
        return HttpClient(
            name="Bitrix24",
            error_hook=errors.error_hook,
            describe=errors.describe,
            throttle=self.throttle(),
        )

    @cached_property
    def auth(self) -> Bitrix24Auth:
        oauth_url = resolve(self.portal_url, self.option("oauth_url") or DEFAULT_OAUTH_URL)
        return Bitrix24Auth(self.account, self.http, oauth_url)

    @cached_property
    def client(self) -> Bitrix24Client:
        return Bitrix24Client(self.http, self.portal_url, self.auth)

    # -- portal address -----------------------------------------------------------------------

    @property
    def portal_url(self) -> str:
        """The base URL, or the new address a renamed portal redirected us to earlier."""
        root = portal_root(self.base_url)
        moved = (self.account.sync_state or {}).get("portal_move") or {}
        if moved.get("from") == root and moved.get("to"):
            return moved["to"]
        return root

    def _note_move(self, ctx: SyncContext) -> None:
        """Keep a portal move in the sync state (saved when the sync succeeds)."""
        if self.client.base_url != self.portal_url:
            root = portal_root(self.base_url)
            ctx.state["portal_move"] = {"from": root, "to": self.client.base_url}

    # -- listing --------------------------------------------------------------------------------

    def lists(self) -> list[str]:
        wanted = parse_lists(self.option("lists"))
        return [name for name in LIST_ORDER if name in wanted]

    def iter_pages(self, ctx: SyncContext) -> Iterator[Page]:
        """Each configured list; one the user may not see (ACCESS_DENIED: no Company Safe
        access) is reported to the engine and the others still sync. With one list only,
        a denial is the sync's failure."""
        self.auth.prepare(self.base_url)
        book = PeopleBook(ctx, self.client, self.auth, host(self.portal_url))
        merger = DocumentMerger(book.users)
        self.page_starts = PageStarts()
        lists = self.lists()
        for list_name in lists:
            try:
                yield from self._iter_list(ctx, list_name, merger, book)
            except ConnectorError as exc:
                if exc.code != "ACCESS_DENIED" or len(lists) < 2:
                    raise
                logger.warning("Bitrix24 %s denied for %s", METHODS[list_name], self.account)
                ctx.deny(list_name, DENIED_WORDS[list_name], f"{METHODS[list_name]}: {exc.code}")

    def _iter_list(
        self, ctx: SyncContext, list_name: str, merger: DocumentMerger, book: PeopleBook
    ) -> Iterator[Page]:
        method = METHODS[list_name]
        offset = 0
        previous_ids: list[str] | None = None
        while True:
            rows = self.auth.call(lambda o=offset: self.client.list_page(method, o))
            self._note_move(ctx)
            if not rows:
                if ctx.full:  # read to its end: downloads may start where rows were
                    self.page_starts.save(ctx.state, list_name)
                return  # the true end: an empty page
            keyed = [(row_id(row), row) for row in rows]
            ids = [doc_id for doc_id, _ in keyed if doc_id is not None]
            self.page_starts.add(list_name, offset, ids)
            offset += len(rows)  # rows received, not rows asked for (clamped limits)
            if ids and ids == previous_ids:
                raise ConnectorError(
                    f"Bitrix24 returned the same page of {method} twice: paging is not "
                    "advancing, so the sync stopped rather than loop",
                    code="paging_stuck",
                )
            previous_ids = ids
            known = set() if ctx.full else ctx.known_ids(ids)
            book.resolve(row for doc_id, row in keyed if ctx.full or doc_id not in known)
            records: dict[str, DocumentRecord] = {}
            for doc_id, row in keyed:
                if doc_id is None:
                    logger.warning("Skipped a %s row without a usable id", method)
                    continue
                if not ctx.full and doc_id in known and doc_id not in merger:
                    # Incremental: indexed by an earlier sync; rebuilding it from this row
                    # alone could drop what other rows added. A full sync refreshes it.
                    continue
                record = merger.add(list_name, doc_id, row)
                if record is not None:
                    records[doc_id] = record
            if records:
                yield Page(list(records.values()))
            if not ctx.full and ids and set(ids) <= known:
                return  # newest first: the rest of this list is indexed already

    @staticmethod
    def record_from_raw(raw: dict[str, Any]) -> DocumentRecord | None:
        doc_id = row_id(raw) if isinstance(raw, dict) else None
        rows = raw.get("rows") if doc_id else None
        if not isinstance(rows, list) or raw.get("list") not in METHODS:
            return None
        people = raw.get("people") if isinstance(raw.get("people"), dict) else None
        return to_record(doc_id, [(raw["list"], r) for r in rows if isinstance(r, dict)], people)

    # -- events kept by the portal (option events=offline) ------------------------------------

    @classmethod
    def polls_events(cls, options) -> bool:
        return events.mode(options) == events.OFFLINE

    def take_events(self) -> int:
        return events.take_offline(self)

    # -- files ----------------------------------------------------------------------------------

    def _find_row(self, list_name: str, target: int) -> dict[str, Any] | None:
        """Re-list (with the current token) until the row holding `target` shows up: first
        around the page that held it at the last full sync (whereabouts.py), else from 0."""
        method = METHODS[list_name]
        start = hint(self.account.sync_state, list_name, target)
        if start is not None:
            found = find_near(lambda o: self.client.list_page(method, o), target, start)
            if found is not FALLBACK:
                return found
        offset = 0
        while True:
            rows = self.client.list_page(method, offset)
            if not rows:
                return None
            offset += len(rows)
            ids = [int(i) for i in (row_id(r) for r in rows) if i is not None]
            for row in rows:
                if row_id(row) == str(target):
                    return row
            # Newest first: once a page is entirely older than the target, it is gone.
            if ids and ids == sorted(ids, reverse=True) and ids[0] < target:
                return None

    def _open(self, list_name: str, target: int) -> FileStream:
        row = self._find_row(list_name, target)
        if row is None:
            raise NotFound("Bitrix24 no longer lists this document, so it cannot be downloaded")
        url = row.get("file_url") or row.get("fileUrl")
        if not isinstance(url, str) or not url:
            raise NotFound("Bitrix24 offers no signed file for this document")
        portal = self.client.base_url
        allowed = UrlPolicy.of(
            {host(portal), host(self.base_url)},
            require_https=self.base_url.lower().startswith("https:"),
        )
        response = self.client.open_download(url, allowed=allowed, referer=f"{portal}/")
        return FileStream.from_response(response)

    def open_file(self, document: SignedDocument, file_key: str) -> FileStream:
        info = document.file(file_key)
        handle = (info or {}).get("handle") or {}
        list_name, target = handle.get("list"), handle.get("id")
        if list_name not in METHODS or not isinstance(target, int):
            raise NotFound("This document has no downloadable Bitrix24 file")
        self.auth.prepare(self.base_url)
        return self.auth.call(lambda: self._open(list_name, target))

    def check_connection(self) -> str:
        self.auth.prepare(self.base_url)
        lists = self.lists()
        # personal.tail needs no Company Safe access: the cheapest proof the token works.
        first = PERSONAL if PERSONAL in lists or not lists else lists[0]
        rows = self.auth.call(lambda: self.client.list_page(METHODS[first], 0))
        return f"{host(self.client.base_url)}: {METHODS[first]} answered ({len(rows)} on page 1)"
