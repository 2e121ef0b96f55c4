"""Acme Sign connector — the template to copy for a new provider (see the README).

Thin on purpose: it declares the provider (key, label, default base URL, credential form,
status table, rate limit), sets the HTTP hooks and throttle in one `make_http`, and wires
the client, auth and mapping into the three methods every connector implements. Read and
write the index only through the SyncContext the engine hands to `iter_pages`.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import TYPE_CHECKING

from signhub.core.connector import Connector, FileStream, Page, SyncContext
from signhub.core.errors import NotFound
from signhub.core.http import HttpClient
from signhub.core.registry import registry

from . import errors, webhooks
from .auth import AcmeAuth
from .client import AcmeClient
from .forms import AcmeForm
from .mapping import to_record
from .statuses import STATUSES

if TYPE_CHECKING:
    from signhub.core.models import SignedDocument


@registry.register
class AcmeConnector(Connector):
    provider = "acme"  # registry key: stored on every account and document
    label = "Acme Sign"
    default_base_url = "https://api.acme-sign.example"
    credential_form = AcmeForm
    statuses = STATUSES
    # Events at the account's webhook_url, verified in webhooks.py (optional).
    receives_webhooks = True
    verify_webhook = staticmethod(webhooks.verify)
    webhook_setup = webhooks.SETUP
    # Stay under the provider's documented limit (per account unless throttle_key says so).
    rate_per_second = 5.0
    burst = 10

    def make_http(self) -> HttpClient:
        return HttpClient(
            name=self.label,
            error_hook=errors.error_hook,
            describe=errors.describe,
            throttle=self.throttle(),
        )

    @cached_property
    def client(self) -> AcmeClient:
        return AcmeClient(self.http, self.base_url, AcmeAuth(self.account))

    def iter_pages(self, ctx: SyncContext) -> Iterator[Page]:
        """The whole listing every time (this API has no "changed since" filter), so the
        engine may sweep removals after it; each envelope once."""
        seen: set[str] = set()
        for rows in self.client.iter_envelope_pages():
            records = []
            for row in rows:
                record = to_record(row)
                if record is not None and record.external_id not in seen:
                    seen.add(record.external_id)
                    records.append(record)
            yield Page(records)
        ctx.listing_complete = True

    def open_file(self, document: SignedDocument, file_key: str) -> FileStream:
        entry = document.file(file_key) or {}
        handle = entry.get("handle") or {}
        if not handle.get("document_id"):
            raise NotFound(f"This {self.label} envelope has no such file")
        response = self.client.open_document(handle["envelope_id"], handle["document_id"])
        name = entry.get("name", "")
        return FileStream.from_response(response, name=name, default_type="application/pdf")

    def check_connection(self) -> str:
        self.client.probe()
        return f"{self.label} answered; the API key works"
