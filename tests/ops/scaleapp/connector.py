"""`GET {base}/docs?page=N` with a bearer token; `POST {base}/token` rotates the tokens."""

from __future__ import annotations

from collections.abc import Iterator

from signhub.core import credentials
from signhub.core.connector import Connector, DocumentRecord, Page
from signhub.core.forms import ProviderForm
from signhub.core.registry import registry
from signhub.core.status import DocumentStatus


@registry.register
class ScaleTestConnector(Connector):
    provider = "scaletest"
    label = "Scale test"
    default_base_url = "http://127.0.0.1"
    credential_form = ProviderForm

    def _page(self, page: int) -> dict:
        token = self.credentials.get("access_token", "")
        return self.http.request_json(
            "GET",
            f"{self.base_url}/docs",
            params={"page": page},
            headers={"Authorization": f"Bearer {token}"},
        )

    def _refresh(self) -> None:
        def call(current: dict) -> dict:
            return self.http.request_json(
                "POST", f"{self.base_url}/token", json={"refresh_token": current["refresh_token"]}
            )

        credentials.rotate(self.account, call)

    def iter_pages(self, ctx) -> Iterator[Page]:
        page = 1
        while page:
            data = credentials.with_refresh(lambda p=page: self._page(p), self._refresh)
            records = [
                DocumentRecord(
                    external_id=str(item["id"]),
                    title=item["title"],
                    status=DocumentStatus.COMPLETED,
                    provider_status="done",
                    raw=item,
                )
                for item in data["items"]
            ]
            yield Page(records, expected_total=data["total"])
            page = data["next"]

    def check_connection(self) -> str:
        self._page(1)
        return "ok"
