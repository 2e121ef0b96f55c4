"""Helpers for the BoldSign tests: recorded-shape fixtures, page bodies, accounts."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from signhub.core.http import throttle

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://api.boldsign.com"
LIST_URL = f"{BASE}/v1/document/list"
BEHALF_URL = f"{BASE}/v1/document/behalfList"
TEAM_URL = f"{BASE}/v1/document/teamlist"
PROPERTIES_URL = f"{BASE}/v1/document/properties"
TOKEN_URL = "https://account.boldsign.com/connect/token"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def row(i: int, **overrides: Any) -> dict[str, Any]:
    """A list row shaped like the real API (fixtures/list_row.json), numbered i."""
    data = copy.deepcopy(fixture("list_row.json"))
    data["documentId"] = f"doc-{i:05d}"
    data["activityDate"] = 1_767_100_000 - i * 60
    data["cursor"] = data["activityDate"] * 1000 + i
    data["messageTitle"] = f"Contract {i}"
    data.update(overrides)
    return data


def page_body(rows: list[dict], total: int | None, page: int = 1, size: int = 100) -> dict:
    details: dict[str, Any] = {"pageSize": size, "page": page}
    if total is not None:
        details["totalRecordsCount"] = total
        details["totalPages"] = -(-total // size)
    return {"pageDetails": details, "result": rows}


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle buckets are per process and keyed by account id: start each test full."""
    throttle.reset()
    yield
    throttle.reset()


@pytest.fixture
def api_key_account(make_account):
    def make(**options):
        return make_account(
            "boldsign",
            credentials={"api_key": "key-123"},
            options={"lists": "list", **options},
            base_url=BASE,
        )

    return make


@pytest.fixture
def oauth_account(make_account):
    def make(**options):
        return make_account(
            "boldsign",
            credentials={"client_id": "cid", "client_secret": "csecret"},
            options={"lists": "list", "grant_type": "client_credentials", **options},
            base_url=BASE,
        )

    return make


def serve_listing(rsps, url: str, rows: list[dict], *, clamp: int = 100, total=True):
    """Register a callback answering Page/PageSize/NextCursor like BoldSign (sorted rows)."""
    from urllib.parse import parse_qs, urlsplit

    def callback(request):
        q = {k.lower(): v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
        size = min(clamp, int(q.get("pagesize", 10)))
        page = int(q.get("page", 1))
        if q.get("nextcursor"):
            cursor = int(q["nextcursor"])
            start = next((k + 1 for k, r in enumerate(rows) if r["cursor"] == cursor), len(rows))
            chunk = rows[start : start + size]
        else:
            chunk = rows[(page - 1) * size : page * size]
        body = page_body(chunk, len(rows) if total else None, page, size)
        return 200, {"X-RateLimit-Remaining": "1900"}, json.dumps(body)

    rsps.add_callback("GET", url, callback=callback, content_type="application/json")


def queries(rsps, url: str) -> list[dict[str, str]]:
    from urllib.parse import parse_qs, urlsplit

    return [
        {k: v[0] for k, v in parse_qs(urlsplit(c.request.url).query).items()}
        for c in rsps.calls
        if c.request.url.split("?")[0] == url
    ]
