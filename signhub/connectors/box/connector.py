"""Box Sign connector: sign requests (owned and shared), signed PDFs and signing logs.

Incremental sync: `/2.0/sign_requests` has no "modified since" filter and no documented
order, so stopping early could miss a request whose status changed. Every sync therefore
lists everything — owned requests, then (with `include_shared`) requests shared with the
user — at 1000 per page: ceil(N/1000) calls per list. The index skips unchanged rows by
content hash, so a repeat sync costs little besides those calls.

Sign requests are listed per user. With the option `users` (`all`, or user ids) the token's
own listing is followed by each user's, read with `As-User`; a request seen under several
users is indexed once, under the first, and that user is kept in `raw["signhub_read_as"]`
and in its files' handles (downloads need the same `As-User`).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import TYPE_CHECKING

from signhub.core.connector import Connector, DocumentRecord, FileStream, Page, SyncContext
from signhub.core.errors import ConnectorError, NotFound
from signhub.core.http import HttpClient
from signhub.core.registry import registry

from . import errors, options, webhooks
from .auth import BoxAuth, BoxConnect
from .client import BoxClient
from .forms import BoxForm
from .mapping import to_record
from .statuses import STATUSES

if TYPE_CHECKING:
    from signhub.core.models import SignedDocument


# Statuses of an As-User listing that mean "not this user" rather than "not this account".
AS_USER_REFUSED = {400, 403, 404}


@registry.register
class BoxConnector(Connector):
    provider = "box"
    label = "Box Sign"
    default_base_url = "https://api.box.com"
    credential_form = BoxForm
    connect_flow = BoxConnect
    receives_webhooks = True
    verify_webhook = staticmethod(webhooks.verify)
    webhook_setup = webhooks.SETUP
    refreshes_documents = True
    registers_webhooks = True
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

    def readers(self) -> Iterator[dict[str, str] | None]:
        """Whose requests to read: the token's user (None), then each of `users`."""
        yield None
        wanted = options.users(self.account.options)
        if wanted == options.ALL_USERS:
            for user in self.client.iter_managed_users():
                yield {"id": str(user["id"]), "login": str(user.get("login") or "")}
        else:
            for user_id in wanted:
                yield {"id": user_id, "login": ""}

    def iter_pages(self, ctx: SyncContext) -> Iterator[Page]:
        """Always the complete listing (see the module docstring), each id once."""
        seen: set[str] = set()
        users = 0
        for reader in self.readers():
            users += reader is not None
            try:
                yield from self._reader_pages(reader, seen)
            except ConnectorError as exc:
                # The token's own listing failing is the sync's failure; one As-User user
                # Box will not let us read as (inactive, not managed, no access) is not.
                if reader is None or exc.status not in AS_USER_REFUSED:
                    raise
                who = reader.get("login") or f"user {reader['id']}"
                ctx.deny(
                    f"user:{reader['id']}",
                    f"Box would not let signhub read as {who}; the other users' requests "
                    "are synced.",
                    exc.message,
                )
        ctx.state["listed"] = len(seen)
        ctx.state["users"] = users
        ctx.listing_complete = True  # every sync is a full listing: removals can be swept

    def _reader_pages(self, reader: dict[str, str] | None, seen: set[str]) -> Iterator[Page]:
        as_user = reader["id"] if reader else None
        for shared in (False, True) if self.include_shared else (False,):
            for entries in self.client.iter_sign_request_pages(shared=shared, as_user=as_user):
                documents = []
                for entry in entries:
                    record = to_record(entry)
                    if record is None or record.external_id in seen:
                        continue  # owned and shared, seen under another user, or repeated
                    seen.add(record.external_id)
                    documents.append(read_as(record, reader))
                yield Page(documents)

    def refresh_document(
        self, external_id: str, as_user: str | None = None
    ) -> DocumentRecord | None:
        """One sign request, fetched again (GET /2.0/sign_requests/{id}); `as_user` is the
        `raw["signhub_read_as"]["id"]` it was listed under, if any."""
        record = to_record(self.client.get_sign_request(external_id, as_user=as_user))
        if record is None:
            return None
        return read_as(record, {"id": as_user, "login": ""} if as_user else None)

    @staticmethod
    def record_from_raw(raw: dict) -> DocumentRecord | None:
        record = to_record(raw) if isinstance(raw, dict) else None
        reader = raw.get("signhub_read_as") if record is not None else None
        return read_as(record, reader if isinstance(reader, dict) else None) if record else None

    def refresh_pages(self, ctx: SyncContext, external_ids: list[str]) -> Iterator[Page]:
        """Each request read again as the user it was listed under (`signhub_read_as`)."""
        stored = ctx.stored_raw(external_ids)
        records = []
        for external_id in external_ids:
            reader = (stored.get(external_id) or {}).get("signhub_read_as") or {}
            try:
                record = self.refresh_document(external_id, as_user=reader.get("id") or None)
            except NotFound:
                continue  # gone, or not visible to this token: the next sync decides
            if record is not None:
                records.append(record)
        yield Page(records)

    def register_webhook(self, target: str, address: str) -> str:
        """A Box webhook on folder `target` with the sign triggers; returns its id. Box
        refuses the root folder and addresses that are not HTTPS on port 443."""
        if not target.isdigit() or target == "0":
            raise ConnectorError(
                "Give the id of the folder where the sign requests are created (a number; "
                "Box refuses webhooks on the root folder 0).",
                code="bad_folder",
            )
        data = self.client.create_webhook(target, address, webhooks.TRIGGERS)
        return str(data.get("id") or "")

    def open_file(self, document: SignedDocument, file_key: str) -> FileStream:
        entry = document.file(file_key)
        handle = (entry or {}).get("handle") or {}
        file_id = handle.get("file_id")
        if not file_id:
            raise NotFound("This Box sign request has no such file")
        response = self.client.open_content(str(file_id), as_user=handle.get("as_user"))
        name = entry.get("name") or f"{file_id}.pdf"
        return FileStream.from_response(response, name=name, default_type="application/pdf")

    def check_connection(self) -> str:
        page = self.client.probe()
        mode = {
            "jwt": "JWT",
            "ccg": "Client Credentials",
            "oauth": "OAuth 2.0",
            "developer": "developer token",
        }
        words = f"Box Sign answered; {mode[self.client.auth.mode]} authentication works"
        wanted = options.users(self.account.options)
        if wanted == options.ALL_USERS:
            self.client.probe_users()
            return f"{words}; the app may list the enterprise's managed users (users=all)"
        if wanted:
            self.client.probe(as_user=wanted[0])
            return f"{words}; reading as {len(wanted)} user(s) works"
        entries = page.get("entries") if isinstance(page, dict) else None
        if entries != []:
            return words
        auth = self.client.auth
        if auth.mode in ("jwt", "ccg") and auth.subject[0] == "enterprise":
            who = "this service account owns"
        else:
            who = "the token's user owns"
        return (
            f"{words} — warning: {who} no sign requests; set users=all to read your users' requests"
        )


def read_as(record: DocumentRecord, reader: dict[str, str] | None) -> DocumentRecord:
    """Keep which user a request was read as, for the record, its downloads and the list
    it counts under (`user:<id>`; the token's own listing is "")."""
    if reader is None:
        return record
    record.listed_in = f"user:{reader['id']}"
    record.raw["signhub_read_as"] = dict(reader)
    for file in record.files:
        file.handle["as_user"] = reader["id"]
    return record
