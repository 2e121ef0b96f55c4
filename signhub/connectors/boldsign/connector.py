"""BoldSign connector: my, behalf-of and team documents, downloads and audit trails."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import unquote

from django.conf import settings

from signhub.core.connector import Connector, FileStream, Page, SyncContext
from signhub.core.errors import NotFound
from signhub.core.registry import registry

from .client import BoldSignApi
from .forms import BoldSignForm
from .lists import LISTINGS, parse_lists
from .mapping import activity_ts, to_record
from .paging import walk
from .ratelimit import RateBudget

if TYPE_CHECKING:
    from signhub.core.models import SignedDocument

logger = logging.getLogger("signhub.connectors.boldsign")

# Incremental syncs re-read this much before the last high-water mark: a document whose
# activity is committed slightly out of order is still seen.
OVERLAP_SECONDS = 600

FILE_PATHS = {
    "signed": "/v1/document/download",
    "audit": "/v1/document/downloadAuditLog",
}


@registry.register
class BoldSignConnector(Connector):
    provider = "boldsign"
    label = "BoldSign"
    default_base_url = "https://api.boldsign.com"
    credential_form = BoldSignForm

    @property
    def api(self) -> BoldSignApi:
        if not hasattr(self, "_api"):
            budget = RateBudget(
                f"boldsign:{self.account.pk}",
                self.option("hourly_limit"),
                max_wait=settings.SIGNHUB_HTTP_MAX_WAIT,
            )
            self._api = BoldSignApi(self, budget)
        return self._api

    def lists(self) -> list[str]:
        try:
            return parse_lists(self.option("lists"))
        except ValueError:
            return parse_lists(None)

    # -- listing -------------------------------------------------------------------------

    def iter_pages(self, ctx: SyncContext) -> Iterator[Page]:
        """Every configured listing to its end (full) or back to its mark (incremental).

        Marks are per listing in ctx.state["marks"] (unix seconds of the newest
        `activityDate` seen); the engine stores them only when the sync succeeds.
        """
        api = self.api
        marks: dict[str, int] = dict(ctx.state.get("marks") or {})
        seen: set[str] = set()  # one document is indexed once, whatever list it is in
        totals: dict[str, int] = {}
        for key in self.lists():
            listing = LISTINGS[key]
            mark = marks.get(key)
            stop_before = None if ctx.full or mark is None else mark - OVERLAP_SECONDS
            top = mark

            def announce(left: int, listing=listing) -> None:
                if ctx.full:
                    api.budget.announce(left, f"the full sync of {listing.label.lower()}")

            for raw in walk(api.get_json, listing, stop_before=stop_before, on_first_page=announce):
                if raw.total is not None:
                    totals[key] = raw.total
                records = []
                for row in raw.rows:
                    stamp = activity_ts(row)
                    if stamp is not None and (top is None or stamp > top):
                        top = stamp
                    record = to_record(row)
                    if record is None or record.external_id in seen:
                        continue
                    seen.add(record.external_id)
                    records.append(record)
                yield Page(records, expected_total=sum(totals.values()) if ctx.full else None)
            if top is not None:
                marks[key] = top
        api.budget.pending_requests = 0
        ctx.state["marks"] = marks

    # -- files ---------------------------------------------------------------------------

    def open_file(self, document: SignedDocument, file_key: str) -> FileStream:
        entry = document.file(file_key)
        if not entry or entry.get("kind") not in FILE_PATHS:
            raise NotFound("This document has no such file")
        handle = entry.get("handle") or {}
        params = {"documentId": handle.get("documentId") or document.external_id}
        if handle.get("onBehalfOf"):
            # Sender-identity documents are only downloadable on the identity's behalf.
            params["onBehalfOf"] = handle["onBehalfOf"]
        response = self.api.stream(FILE_PATHS[entry["kind"]], params)
        length = response.headers.get("Content-Length")
        return FileStream(
            chunks=response.iter_content(64 * 1024),
            content_type=response.headers.get("Content-Type") or "application/pdf",
            filename=_filename(response.headers.get("Content-Disposition"))
            or entry.get("name", ""),
            size=int(length) if length and length.isdigit() else None,
            close=response.close,
        )

    def check_connection(self) -> str:
        listing = LISTINGS[self.lists()[0]]
        data = self.api.get_json(listing.path, {**listing.params, "Page": 1, "PageSize": 1})
        details = data.get("pageDetails") if isinstance(data, dict) else None
        total = details.get("totalRecordsCount") if isinstance(details, dict) else None
        where = f"{self.api.region} region"
        if total is None:
            return f"BoldSign ({where}) answered"
        return f"BoldSign ({where}) answered: {total} documents in {listing.label.lower()}"


def _filename(disposition: str | None) -> str:
    """The file name from Content-Disposition (RFC 5987 `filename*` preferred)."""
    if not disposition:
        return ""
    match = re.search(r"filename\*\s*=\s*[^']*'[^']*'([^;]+)", disposition, re.I)
    if match:
        return unquote(match.group(1).strip().strip('"'))
    match = re.search(r'filename\s*=\s*"?([^";]+)"?', disposition, re.I)
    return match.group(1).strip() if match else ""
