"""Fake connectors for testing the engine: one in memory, one over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from django import forms

from signhub.core.connector import Connector, DocumentRecord, FileStream, Page, SignerRecord
from signhub.core.errors import ConnectorError
from signhub.core.forms import ProviderForm
from signhub.core.registry import registry
from signhub.core.status import DocumentStatus


class FakeForm(ProviderForm):
    token = forms.CharField(required=False)
    page_size = forms.IntegerField(required=False, min_value=1)
    credential_fields = ("token",)
    option_fields = ("page_size",)
    secret_fields = ("token",)


def make_record(i: int, **overrides) -> DocumentRecord:
    base = {
        "external_id": f"doc-{i}",
        "title": f"Contract {i}",
        "status": DocumentStatus.COMPLETED,
        "provider_status": "done",
        "sender_name": "HR Team",
        "sender_email": "hr@example.com",
        "signers": [
            SignerRecord(
                email=f"emp{i}@example.com",
                name=f"Employee {i}",
                status="signed",
                order=1,
                decided_at=datetime(2026, 3, 1, 12, tzinfo=UTC),
            ),
        ],
        "labels": ["contracts"],
        "created_at": datetime(2026, 2, 1, 9, tzinfo=UTC),
        "completed_at": datetime(2026, 3, 1, 12, tzinfo=UTC),
        "raw": {"id": i},
    }
    base.update(overrides)
    return DocumentRecord(**base)


@registry.register
class FakeConnector(Connector):
    """Serves `FakeConnector.data[account name]` (a list of records) in pages.

    A record may be an Exception instance: the connector raises it at that point.
    """

    provider = "fake"
    label = "Fake"
    default_base_url = "https://fake.example.com"
    credential_form = FakeForm
    data: dict[str, list] = {}

    def iter_pages(self, ctx) -> Iterator[Page]:
        items = self.data.get(self.account.name, [])
        size = int(self.option("page_size", 10))
        for start in range(0, len(items), size):
            chunk = items[start : start + size]
            for item in chunk:
                if isinstance(item, Exception):
                    raise item
            yield Page(chunk, expected_total=len(items))

    def open_file(self, document, file_key) -> FileStream:
        return FileStream(iter([b"%PDF-1.4 fake"]), "application/pdf", "fake.pdf", 13)

    def check_connection(self) -> str:
        if self.credentials.get("token") == "bad":
            raise ConnectorError("Fake rejected the token", code="unauthorized")
        return "fake is fine"


@registry.register
class HttpFakeConnector(Connector):
    """Pages from `GET {base}/docs?page=N` → {"items": [...], "next": N|null}."""

    provider = "fakehttp"
    label = "Fake HTTP"
    default_base_url = "https://fakehttp.example.com"
    credential_form = FakeForm

    def iter_pages(self, ctx) -> Iterator[Page]:
        page = 1
        while page:
            data = self.http.request_json(
                "GET",
                f"{self.base_url}/docs",
                params={"page": page},
                headers={"Authorization": f"Bearer {self.credentials.get('token', '')}"},
            )
            records = [
                make_record(int(item["id"]), title=item.get("title", f"Doc {item['id']}"))
                for item in data["items"]
            ]
            yield Page(records)
            page = data.get("next")

    def check_connection(self) -> str:
        self.http.request_json("GET", f"{self.base_url}/docs", params={"page": 1})
        return "ok"
