"""BoldSign connector: my, behalf-of and team documents, downloads and audit trails."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from functools import cached_property, partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from signhub.core.connector import Connector, DocumentRecord, FileStream, Page, SyncContext
from signhub.core.errors import ConnectorError, NotFound
from signhub.core.http import HttpClient
from signhub.core.registry import registry

from . import errors, webhooks
from .auth import BoldSignAuth, BoldSignConnect
from .client import BoldSignClient
from .forms import BoldSignForm
from .lists import LISTINGS, parse_lists
from .mapping import (
    ENDED_WITH_WORDS,
    activity_ts,
    needs_words,
    stored_words,
    to_record,
    with_words,
    words_from_properties,
)
from .paging import walk
from .ratelimit import LIVE_HOURLY_LIMIT, RateBudget
from .regions import normalize_region, region_of_base_url, token_url
from .statuses import STATUSES

if TYPE_CHECKING:
    from signhub.core.models import SignedDocument

logger = logging.getLogger("signhub.connectors.boldsign")

# Incremental syncs re-read this much before the last high-water mark: a document whose
# activity is committed slightly out of order is still seen.
OVERLAP_SECONDS = 600

# https://developers.boldsign.com/documents/document-details-and-status/
PROPERTIES_PATH = "/v1/document/properties"
# Decline / revoke words cost one properties call per ended document against the hourly
# budget, so a sync asks at most this many, and only for documents that ended recently
# (what needs attention shows); the rest are asked by later syncs, once each.
WORD_LOOKUPS_PER_SYNC = 100
WORD_LOOKUP_DAYS = 90

# A listing BoldSign answers 403 for: the others sync; the account card says this.
DENIED_WORDS = {
    "behalf_others": (
        "This BoldSign account may not read documents sent on behalf of others (its plan "
        "or role has no sender identities); its other lists are synced."
    ),
    "behalf_me": (
        "This BoldSign account may not read documents sent on its behalf (its plan or "
        "role has no sender identities); its other lists are synced."
    ),
    "team": (
        "Only account or team admins may read BoldSign's team documents; this account's "
        "other lists are synced."
    ),
}

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
    connect_flow = BoldSignConnect
    receives_webhooks = True
    verify_webhook = staticmethod(webhooks.verify)
    webhook_setup = webhooks.SETUP
    refreshes_documents = True
    statuses = STATUSES
    # BoldSign's limit is a budget per hour and account (the `hourly_limit` option lowers
    # it, e.g. 50 for a sandbox key); RateBudget paces the requests from it.
    hourly_limit = LIVE_HOURLY_LIMIT

    @cached_property
    def budget(self) -> RateBudget:
        limit = self.option("hourly_limit") or self.hourly_limit
        return RateBudget(self.throttle_key(), limit, max_wait=settings.SIGNHUB_HTTP_MAX_WAIT)

    def make_http(self) -> HttpClient:
        hook = partial(
            errors.error_hook,
            region=self.region,
            token_url=self.token_url,
            api_key=bool(self.credentials.get("api_key")),
        )
        return HttpClient(
            name="BoldSign",
            error_hook=hook,
            describe=errors.describe,
            on_response=self.budget.observe,
            throttle=self.budget,
        )

    @cached_property
    def client(self) -> BoldSignClient:
        auth = BoldSignAuth(self.account, self.http, self.token_url)
        return BoldSignClient(self.http, self.base_url, auth)

    @property
    def region(self) -> str:
        return region_of_base_url(self.base_url) or normalize_region(self.option("region"))

    @property
    def token_url(self) -> str:
        return token_url(self.base_url, self.option("region"), self.option("token_url"))

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
        budget = self.budget
        self._word_lookups_left = WORD_LOOKUPS_PER_SYNC
        marks: dict[str, int] = dict(ctx.state.get("marks") or {})
        seen: set[str] = set()  # one document is indexed once, whatever list it is in
        totals: dict[str, int] = {}
        keys = self.lists()
        for key in keys:
            listing = LISTINGS[key]
            mark = marks.get(key)
            stop_before = None if ctx.full or mark is None else mark - OVERLAP_SECONDS
            top = mark

            def announce(left: int, listing=listing) -> None:
                if ctx.full:
                    budget.announce(left, f"the full sync of {listing.label.lower()}")

            pages = walk(
                self.client.get_json, listing, stop_before=stop_before, on_first_page=announce
            )
            try:
                yield from self._walk(pages, key, top, totals, seen, ctx, marks)
            except ConnectorError as exc:
                # With one list only, its refusal is the sync's failure.
                if exc.status != 403 or key not in DENIED_WORDS or len(keys) < 2:
                    raise
                ctx.deny(key, DENIED_WORDS[key], exc.message)
        budget.pending_requests = 0
        ctx.state["marks"] = marks

    def _walk(self, pages, key, top, totals, seen, ctx, marks) -> Iterator[Page]:
        """One listing's pages as records; its mark moves only once it was read to the end."""
        for raw in pages:
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
                record.listed_in = key
                records.append(record)
            records = self._with_end_words(records, ctx)
            yield Page(records, expected_total=sum(totals.values()) if ctx.full else None)
        if top is not None:
            marks[key] = top

    def _with_end_words(self, records: list[DocumentRecord], ctx: SyncContext) -> list:
        """List rows carry no decline or revoke message; a declined or revoked document's
        properties do. They are asked once per such document and activity (kept in the
        stored row), so an unchanged re-sync makes no extra call. A refused call leaves
        the record as listed; the next sync asks again."""
        ended = [r for r in records if r.status in ENDED_WITH_WORDS]
        if not ended:
            return records
        stored = ctx.stored_raw(r.external_id for r in ended)
        replaced: dict[str, DocumentRecord] = {}
        for record in ended:
            old = stored.get(record.external_id)
            details = stored_words(old, record.raw)
            if details is None and self._may_look_up(record) and needs_words(record.raw, old):
                self._word_lookups_left -= 1
                try:
                    answer = self.client.get_json(
                        PROPERTIES_PATH, {"documentId": record.external_id}
                    )
                except NotFound:
                    answer = {}  # nothing to say for this activity: not asked again
                except ConnectorError:
                    continue
                if not isinstance(answer, dict):
                    continue
                details = words_from_properties(answer, record.raw)
            if details is None:
                continue
            better = to_record(with_words(record.raw, details))
            if better is not None:
                better.listed_in = record.listed_in
                replaced[record.external_id] = better
        return [replaced.get(r.external_id, r) for r in records]

    def _may_look_up(self, record: DocumentRecord) -> bool:
        recent = timezone.now() - timedelta(days=WORD_LOOKUP_DAYS)
        activity = record.last_activity_at
        left = getattr(self, "_word_lookups_left", WORD_LOOKUPS_PER_SYNC)
        return left > 0 and activity is not None and activity >= recent

    @staticmethod
    def record_from_raw(raw: dict) -> DocumentRecord | None:
        return to_record(raw) if isinstance(raw, dict) else None

    def refresh_pages(self, ctx: SyncContext, external_ids: list[str]) -> Iterator[Page]:
        """Each document's properties (one call each). They do not say whose behalf a
        document was sent on, so that is kept from the stored row (downloads need it)."""
        stored = ctx.stored_raw(external_ids)
        records = []
        for external_id in external_ids:
            try:
                row = self.client.get_json(PROPERTIES_PATH, {"documentId": external_id})
            except NotFound:
                continue  # deleted, or outside this account: the next full sync decides
            if not isinstance(row, dict):
                continue
            behalf = (stored.get(external_id) or {}).get("behalfOf")
            if behalf and not row.get("behalfOf"):
                row = {**row, "behalfOf": behalf}
            record = to_record(row)
            if record is not None and record.external_id == external_id:
                records.append(record)
        yield Page(records)

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
        response = self.client.stream(FILE_PATHS[entry["kind"]], params)
        return FileStream.from_response(
            response, name=entry.get("name", ""), default_type="application/pdf"
        )

    def check_connection(self) -> str:
        listing = LISTINGS[self.lists()[0]]
        data = self.client.get_json(listing.path, {**listing.params, "Page": 1, "PageSize": 1})
        details = data.get("pageDetails") if isinstance(data, dict) else None
        total = details.get("totalRecordsCount") if isinstance(details, dict) else None
        where = f"{self.region} region"
        if total is None:
            return f"BoldSign ({where}) answered"
        return f"BoldSign ({where}) answered: {total} documents in {listing.label.lower()}"
