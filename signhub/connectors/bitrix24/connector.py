"""Bitrix24 e-Signature for HR: the personal and company-safe lists of signed documents.

Paging: limit=50 + offset, advanced by the rows actually received; the end is an EMPTY page
(the server clamps limits it dislikes to 20, so a short page proves nothing). Lists are
newest first; an incremental sync stops after a page whose ids are all indexed already.
Tokens: refreshed on `expired_token` (not on a timer) and when the refresh token nears its
180-day life; every refresh rotates the refresh token through `rotate_credentials`.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from signhub.core import credentials
from signhub.core.connector import Connector, DocumentRecord, FileStream, Page, SyncContext
from signhub.core.errors import ConnectorError, NotFound
from signhub.core.http import HttpClient, ensure_allowed_url, shared_throttle
from signhub.core.registry import registry

from . import errors
from .client import Bitrix24Api
from .forms import DEFAULT_OAUTH_URL, Bitrix24Form, parse_lists
from .mapping import LIST_ORDER, METHODS, PERSONAL, DocumentMerger, row_id
from .portal import WEBHOOK_EXPLANATION, host, looks_like_webhook, portal_root

if TYPE_CHECKING:
    from signhub.core.models import SignedDocument

logger = logging.getLogger("signhub.connectors.bitrix24")

# https://apidocs.bitrix24.com/settings/performance/limits.html — leaky bucket per portal,
# 2 req/s with bursts of 50 (Enterprise: 5/s, 250). We stay a little under the smaller one,
# since other apps on the same portal (and IP) share the bucket.
RATE_PER_SECOND = 1.8
BURST = 40
# Refresh tokens live 180 days; refresh well before so an idle account does not lapse.
REFRESH_TOKEN_MAX_AGE = 150 * 24 * 3600


@registry.register
class Bitrix24Connector(Connector):
    provider = "bitrix24"
    label = "Bitrix24 e-Signature for HR"
    default_base_url = "https://yourcompany.bitrix24.com"
    credential_form = Bitrix24Form
    _ctx_state: dict[str, Any] | None = None  # the running sync's state, for portal moves

    def __init__(self, account, *, http: HttpClient | None = None) -> None:
        super().__init__(account, http=http)
        self.api = Bitrix24Api(
            self.http, self._portal_url(), self._access_token, on_moved=self._remember_move
        )

    def make_http(self) -> HttpClient:
        return HttpClient(
            name="Bitrix24",
            error_hook=errors.error_hook,
            throttle=shared_throttle(f"bitrix24:{host(self.base_url)}", RATE_PER_SECOND, BURST),
        )

    # -- portal address -----------------------------------------------------------------------

    def _portal_url(self) -> str:
        """The base URL, or the new address a renamed portal redirected us to earlier."""
        root = portal_root(self.base_url)
        moved = (self.account.sync_state or {}).get("portal_move") or {}
        if moved.get("from") == root and moved.get("to"):
            return moved["to"]
        return root

    def _remember_move(self, new_base: str) -> None:
        # Kept in sync_state (saved when the sync succeeds) so later syncs skip the 302 hop.
        self.account.sync_state = {
            **(self.account.sync_state or {}),
            "portal_move": {"from": portal_root(self.base_url), "to": new_base},
        }
        if self._ctx_state is not None:
            self._ctx_state["portal_move"] = self.account.sync_state["portal_move"]

    # -- tokens ---------------------------------------------------------------------------------

    def _access_token(self) -> str:
        return str(self.credentials.get("access_token") or "")

    def _refresh(self, current: dict[str, Any]) -> dict[str, Any]:
        """Called by rotate_credentials under the row lock; returns the changed keys."""
        if not current.get("refresh_token"):
            raise ConnectorError(
                f"The Bitrix24 access token expired and no refresh token is stored — "
                f"{errors.RECONNECT}",
                code="no_refresh_token",
                needs_reconnect=True,
            )
        try:
            data = self.api.refresh_tokens(
                self.option("oauth_url") or DEFAULT_OAUTH_URL,
                str(current.get("client_id") or ""),
                str(current.get("client_secret") or ""),
                str(current["refresh_token"]),
            )
        except ConnectorError as exc:
            if not exc.retryable:
                # A refused refresh never heals by itself (invalid_grant, invalid_client...).
                exc.needs_reconnect = True
                exc.refresh = False
            raise
        now = int(time.time())
        updated: dict[str, Any] = {
            "access_token": str(data["access_token"]),
            # Single use: the new refresh token replaces the old one (stored before use).
            "refresh_token": str(data.get("refresh_token") or current["refresh_token"]),
            "refresh_token_issued_at": now,
        }
        expires = data.get("expires")
        expires_in = data.get("expires_in")
        if isinstance(expires, int | float) and not isinstance(expires, bool):
            updated["access_token_expires_at"] = int(expires)
        elif isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
            updated["access_token_expires_at"] = now + int(expires_in)
        # member_id (stable portal id) and client_endpoint survive portal renames; `domain`
        # in this response is the OAuth server, not the portal, so it is not kept.
        for key in ("member_id", "client_endpoint", "user_id", "scope"):
            if data.get(key) not in (None, ""):
                updated[key] = data[key]
        return updated

    def refresh_now(self) -> None:
        credentials.rotate(self.account, self._refresh)

    def _prepare(self) -> None:
        """Before the first call: refuse webhooks, get a token, refresh an ageing grant."""
        if looks_like_webhook(self.base_url) or any(
            looks_like_webhook(v) for v in self.credentials.values()
        ):
            raise ConnectorError(WEBHOOK_EXPLANATION, code="webhook_url", needs_reconnect=True)
        creds = self.credentials
        if not creds.get("access_token"):
            self.refresh_now()
            return
        issued = creds.get("refresh_token_issued_at")
        if not creds.get("refresh_token"):
            return
        if not isinstance(issued, int | float):
            # Age unknown (account just added): count from now, without a network call.
            stamp = int(time.time())
            credentials.rotate(self.account, lambda current: {"refresh_token_issued_at": stamp})
        elif time.time() - issued > REFRESH_TOKEN_MAX_AGE:
            logger.info("Bitrix24 refresh token of %s is ageing: refreshing", self.account.name)
            self.refresh_now()

    def _call(self, fn):
        return credentials.with_refresh(fn, self.refresh_now)

    # -- listing --------------------------------------------------------------------------------

    def lists(self) -> list[str]:
        wanted = parse_lists(self.option("lists"))
        return [name for name in LIST_ORDER if name in wanted]

    def iter_pages(self, ctx: SyncContext) -> Iterator[Page]:
        self._ctx_state = ctx.state
        self._prepare()
        merger = DocumentMerger()
        for list_name in self.lists():
            yield from self._iter_list(ctx, list_name, merger)

    def _iter_list(
        self, ctx: SyncContext, list_name: str, merger: DocumentMerger
    ) -> Iterator[Page]:
        method = METHODS[list_name]
        offset = 0
        previous_ids: list[str] | None = None
        while True:
            rows = self._call(lambda o=offset: self.api.list_page(method, o))
            if not rows:
                return  # the true end: an empty page
            offset += len(rows)  # rows received, not rows asked for (clamped limits)
            keyed = [(row_id(row), row) for row in rows]
            ids = [doc_id for doc_id, _ in keyed if doc_id is not None]
            if ids and ids == previous_ids:
                raise ConnectorError(
                    f"Bitrix24 returned the same page of {method} twice: paging is not "
                    "advancing, so the sync stopped rather than loop",
                    code="paging_stuck",
                )
            previous_ids = ids
            known = set() if ctx.full else ctx.known_ids(ids)
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

    # -- files ----------------------------------------------------------------------------------

    def _find_row(self, list_name: str, target: int) -> dict[str, Any] | None:
        """Re-list (with the current token) until the row holding `target` shows up."""
        method = METHODS[list_name]
        offset = 0
        while True:
            rows = self.api.list_page(method, offset)
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
        portal = self.api.base_url
        ensure_allowed_url(
            url,
            allowed_hosts={host(portal), host(self.base_url)},
            require_https=urlsplit(self.base_url).scheme == "https",
        )
        response = self.api.open_download(url, referer=f"{portal}/")
        size = response.headers.get("Content-Length")

        def close() -> None:
            response.close()

        return FileStream(
            chunks=response.iter_content(64 * 1024),
            content_type=response.headers.get("Content-Type") or "application/octet-stream",
            filename=_filename(response.headers.get("Content-Disposition", "")),
            size=int(size) if size and size.isdigit() else None,
            close=close,
        )

    def open_file(self, document: SignedDocument, file_key: str) -> FileStream:
        info = document.file(file_key)
        handle = (info or {}).get("handle") or {}
        list_name, target = handle.get("list"), handle.get("id")
        if list_name not in METHODS or not isinstance(target, int):
            raise NotFound("This document has no downloadable Bitrix24 file")
        self._prepare()
        return self._call(lambda: self._open(list_name, target))

    def check_connection(self) -> str:
        self._prepare()
        lists = self.lists()
        # personal.tail needs no Company Safe access: the cheapest proof the token works.
        first = PERSONAL if PERSONAL in lists or not lists else lists[0]
        rows = self._call(lambda: self.api.list_page(METHODS[first], 0))
        return f"{host(self.api.base_url)}: {METHODS[first]} answered ({len(rows)} on page 1)"


_FILENAME_STAR = re.compile(r"filename\*\s*=\s*[^']*'[^']*'([^;]+)", re.IGNORECASE)
_FILENAME = re.compile(r'filename\s*=\s*"?([^";]+)"?', re.IGNORECASE)


def _filename(disposition: str) -> str:
    match = _FILENAME_STAR.search(disposition)
    if match:
        return unquote(match.group(1).strip())
    match = _FILENAME.search(disposition)
    return match.group(1).strip() if match else ""
