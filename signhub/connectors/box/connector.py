"""Box Sign connector: sign requests (owned and shared), signed PDFs and signing logs.

Incremental sync: `/2.0/sign_requests` has no "modified since" filter and no documented
order, so stopping early could miss a request whose status changed. Every sync therefore
lists everything — owned requests, then (with `include_shared`) requests shared with the
user — at 1000 per page: ceil(N/1000) calls per list. The index skips unchanged rows by
content hash, so a repeat sync costs little besides those calls.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import TYPE_CHECKING

from signhub.core.connector import Connector, DocumentRecord, FileStream, Page, SyncContext
from signhub.core.errors import NotFound
from signhub.core.http import HttpClient
from signhub.core.registry import registry

from . import errors, options
from .auth import BoxAuth
from .client import BoxClient
from .forms import BoxForm
from .mapping import to_record
from .statuses import STATUSES

if TYPE_CHECKING:
    from signhub.core.models import SignedDocument


@registry.register
class BoxConnector(Connector):
    provider = "box"
    label = "Box Sign"
    default_base_url = "https://api.box.com"
    credential_form = BoxForm
    statuses = STATUSES
    # Box allows ~1000 requests per minute per user (one user per account, so one bucket
    # per account); stay a little under it: 15/s ≈ 900/min.
    rate_per_second = 15.0
    burst = 15

    def make_http(self) -> HttpClient:
        return HttpClient(
            name="Box",
            error_hook=errors.error_hook,
            describe=errors.describe,
            throttle=self.throttle(),
        )

    @cached_property
    def client(self) -> BoxClient:
        token_url = options.token_url(self.account.options, self.base_url)
        return BoxClient(self.http, self.base_url, BoxAuth(self.account, self.http, token_url))

    @property
    def include_shared(self) -> bool:
        return options.include_shared(self.account.options)

    def iter_pages(self, ctx: SyncContext) -> Iterator[Page]:
        """Always the complete listing (see the module docstring), each id once."""
        seen: set[str] = set()
        for shared in (False, True) if self.include_shared else (False,):
            for entries in self.client.iter_sign_request_pages(shared=shared):
                documents = []
                for entry in entries:
                    record = to_record(entry)
                    if record is None or record.external_id in seen:
                        continue  # a request both owned and shared, or repeated across pages
                    seen.add(record.external_id)
                    documents.append(record)
                yield Page(documents)
        ctx.state["listed"] = len(seen)
        ctx.listing_complete = True  # every sync is a full listing: removals can be swept

    def refresh_document(self, external_id: str) -> DocumentRecord | None:
        """One sign request, fetched again (GET /2.0/sign_requests/{id})."""
        return to_record(self.client.get_sign_request(external_id))

    def open_file(self, document: SignedDocument, file_key: str) -> FileStream:
        entry = document.file(file_key)
        file_id = ((entry or {}).get("handle") or {}).get("file_id")
        if not file_id:
            raise NotFound("This Box sign request has no such file")
        response = self.client.open_content(str(file_id))
        name = entry.get("name") or f"{file_id}.pdf"
        return FileStream.from_response(response, name=name, default_type="application/pdf")

    def check_connection(self) -> str:
        self.client.probe()
        mode = {"ccg": "Client Credentials", "oauth": "OAuth 2.0", "developer": "developer token"}
        return f"Box Sign answered; {mode[self.client.auth.mode]} authentication works"
