"""JSign connector: envelopes listed page by page, details only when an envelope is new or
changed, files decoded from base64 JSON as a stream.

Incremental sync: JSign's list has no "modified since" filter and no documented sort order;
its date filters apply to creation, so a status change of an old envelope would be missed by
them. Every sync therefore walks the whole list (cheap: `PAGE_SIZE` envelopes per call) and
spends a details call only on envelopes whose list row differs from the one stored in the
index (new envelope, new status, renamed, re-categorised). That is the minimum number of
requests that still sees every status change.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

from signhub.core.connector import Connector, DocumentRecord, FileStream, Page, SyncContext
from signhub.core.errors import ConnectorError, NotFound
from signhub.core.http import HttpClient
from signhub.core.parsing import as_dict, as_int, as_list, split_list
from signhub.core.registry import registry

from . import errors
from .auth import JSignAuth
from .client import JSignClient
from .download import Base64JsonDecoder
from .forms import DEFAULT_PAGE_SIZE, JSignForm
from .mapping import needs_history, to_record
from .statuses import STATUSES

if TYPE_CHECKING:
    from signhub.core.models import SignedDocument

logger = logging.getLogger("signhub.connectors.jsign")


@registry.register
class JSignConnector(Connector):
    provider = "jsign"
    label = "JSign"
    default_base_url = "https://api.jsign.com"
    credential_form = JSignForm
    statuses = STATUSES
    # No webhooks: accounts with envelopes in progress are polled incrementally every
    # SIGNHUB_JSIGN_ACTIVE_POLL_MINUTES (2) instead of the schedule's interval.
    adaptive_polling = True
    # JSign documents no rate limit; a modest client-side pace per account keeps us polite.
    rate_per_second = 10.0
    burst = 20

    def make_http(self) -> HttpClient:
        return HttpClient(
            name=self.label,
            error_hook=errors.error_hook,
            describe=errors.describe,
            throttle=self.throttle(),
        )

    @cached_property
    def client(self) -> JSignClient:
        return JSignClient(self.http, self.base_url, self.auth)

    @cached_property
    def auth(self) -> JSignAuth:
        return JSignAuth(self.account, self.http, self.base_url)

    # -- listing --------------------------------------------------------------------------

    def page_size(self) -> int:
        size = as_int(self.option("page_size") or DEFAULT_PAGE_SIZE)
        return DEFAULT_PAGE_SIZE if size is None else max(1, size)

    def list_filters(self) -> dict[str, Any]:
        """Optional account filters; empty arrays are never sent (CATEGORIES_EMPTY)."""
        filters: dict[str, Any] = {}
        if statuses := split_list(self.option("statuses")):
            filters["status"] = statuses
        if categories := split_list(self.option("categories")):
            filters["categories"] = categories
        return filters

    def iter_pages(self, ctx: SyncContext) -> Iterator[Page]:
        """Page numbers 1..num_pages; an empty page also ends the walk."""
        seen: set[str] = set()
        page, size, filters = 1, self.page_size(), self.list_filters()
        while True:
            data = self.client.list_envelopes(page, size, filters)
            info = list_info(data)
            rows = [row for row in as_list(data.get("envelopes")) if isinstance(row, dict)]
            fresh = []
            for row in rows:
                envelope_id = str(row.get("envelope_id") or "")
                if envelope_id and envelope_id not in seen:
                    seen.add(envelope_id)
                    fresh.append(row)
            num_pages = as_int(info.get("num_pages", info.get("num_page")))
            if fresh:
                yield Page(self.records(fresh, ctx), expected_total=as_int(info.get("num_results")))
            if not rows or (num_pages is not None and page >= num_pages):
                break
            if num_pages is None and not fresh:
                # No page count and nothing new: the server ignores `page`. Stop, not loop.
                logger.warning("JSign repeated page %s without a page count; stopping", page)
                break
            page += 1

    def records(self, rows: list[dict[str, Any]], ctx: SyncContext) -> list[DocumentRecord]:
        """Map rows; reuse the stored details (and history) of envelopes whose list row did
        not change. The history is asked for only when a completed envelope's details
        carry no completion time (one call per such envelope, once)."""
        stored = ctx.stored_raw(str(r["envelope_id"]) for r in rows)
        records = []
        for row in rows:
            envelope_id = str(row["envelope_id"])
            previous = stored.get(envelope_id) or {}
            history = None
            if isinstance(previous, dict) and previous.get("list") == row and "details" in previous:
                details, history = previous["details"], previous.get("history")
            else:
                details = self.client.envelope_details(envelope_id)
            record = to_record(row, details, history)
            if history is None and needs_history(record):
                history = self.history(envelope_id)
                record = to_record(row, details, history)
            records.append(record)
        return records

    def history(self, envelope_id: str) -> dict[str, Any] | None:
        """The envelope's history, or None when JSign does not give it: a completion time
        is worth one call, not the sync (a rejected login still fails it)."""
        try:
            return self.client.envelope_history(envelope_id)
        except ConnectorError as exc:
            if exc.needs_reconnect:
                raise
            logger.warning("JSign history of %s not read: %s", envelope_id, exc.message)
            return None

    @staticmethod
    def record_from_raw(raw: dict[str, Any]) -> DocumentRecord | None:
        """The record the stored raw payload maps to today (backfills, `remap_documents`)."""
        if not isinstance(raw, dict) or not isinstance(raw.get("list"), dict):
            return None
        return to_record(raw["list"], raw.get("details"), raw.get("history"))

    # -- files ----------------------------------------------------------------------------

    def open_file(self, document: SignedDocument, file_key: str) -> FileStream:
        meta = document.file(file_key)
        if not meta:
            raise NotFound("This document has no such file")
        handle = meta.get("handle") or {}
        envelope_id = str(handle.get("envelope_id") or document.external_id)
        if handle.get("audit"):
            response = self.client.open_audit_log(envelope_id)
            name = meta.get("name") or "audit-log.json"
            return FileStream.from_response(response, name=name, content_type="application/json")
        response = self.client.open_download(
            envelope_id, str(handle.get("document_id", "")), signed=bool(handle.get("signed"))
        )
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        fallback_name = meta.get("name") or f"{document.title or envelope_id}.pdf"
        if content_type in ("application/pdf", "application/octet-stream"):
            # Not the documented JSON wrapper but the file itself: pass it through.
            return FileStream.from_response(response, name=fallback_name, content_type=content_type)
        decoder = Base64JsonDecoder(response.iter_content(64 * 1024))
        try:
            info = decoder.open()
        except BaseException:
            response.close()
            raise
        filename = info.get("file_name") or info.get("document_name") or fallback_name
        guessed = mimetypes.guess_type(filename)[0]
        return FileStream(
            chunks=_closing(iter(decoder), response.close),
            content_type=guessed or "application/pdf",
            filename=filename,
            size=None,  # unknown until decoded: the JSON carries no size
            close=response.close,
        )

    # -- health ---------------------------------------------------------------------------

    def check_connection(self) -> str:
        data = self.client.list_envelopes(1, 1, self.list_filters())
        total = as_int(list_info(data).get("num_results"))
        return f"JSign answered: {total if total is not None else 'some'} envelope(s) visible"


def list_info(data: dict[str, Any]) -> dict[str, Any]:
    """`list_info` of a listing answer: an object (the sample), or an array (the table)."""
    info = data.get("list_info")
    if isinstance(info, list):
        return as_dict(info[0]) if info else {}
    return as_dict(info)


def _closing(chunks: Iterator[bytes], close) -> Iterator[bytes]:
    try:
        yield from chunks
    finally:
        close()
