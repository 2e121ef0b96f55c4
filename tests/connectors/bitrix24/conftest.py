"""Shared pieces for the Bitrix24 tests: fixtures on disk, an account, a fake portal."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import pytest
import responses

BASE = "https://acme.bitrix24.com"
PERSONAL_URL = f"{BASE}/rest/sign.b2e.personal.tail"
SAFE_URL = f"{BASE}/rest/sign.b2e.mysafe.tail"
OAUTH_URL = "https://oauth.bitrix.info/oauth/token/"
FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def safe_row(doc_id: int, **overrides) -> dict:
    """A company-safe row shaped like the recorded fixture, for the given id."""
    row = copy.deepcopy(load("mysafe_tail")["result"][1])
    row.update(id=doc_id, title=f"Contract {doc_id}")
    row["file_url"] = (
        f"{BASE}/rest/download.json?auth=SECRETACCESSTOKEN0001&token=sign.b2e%7C{doc_id}"
    )
    row.update(overrides)
    return row


def personal_row(doc_id: int, **overrides) -> dict:
    row = {
        k: v for k, v in safe_row(doc_id).items() if k in ("id", "title", "signed_date", "file_url")
    }
    row.update(overrides)
    return row


class FakePortal:
    """Serves the two tails from lists (newest first) like the server: limit outside 1..50
    (or `max_limit`) becomes 20, offset slices, the end is an empty page."""

    def __init__(self, rsps: responses.RequestsMock, max_limit: int = 50) -> None:
        self.lists = {"sign.b2e.personal.tail": [], "sign.b2e.mysafe.tail": []}
        self.max_limit = max_limit
        self.calls: list[tuple[str, dict]] = []
        for method in self.lists:
            rsps.add_callback(responses.POST, f"{BASE}/rest/{method}", callback=self._serve(method))

    def _serve(self, method: str):
        def callback(request):
            body = json.loads(request.body)
            self.calls.append((method, body))
            limit = body.get("limit")
            limit = limit if isinstance(limit, int) and 1 <= limit <= self.max_limit else 20
            offset = body.get("offset", 0)
            rows = self.lists[method][offset : offset + limit]
            payload = {"result": rows, "time": load("empty_page")["time"]}
            return 200, {"Content-Type": "application/json"}, json.dumps(payload)

        return callback

    def offsets(self, method: str) -> list[int]:
        return [body["offset"] for m, body in self.calls if m == method]


@pytest.fixture
def account(make_account):
    return make_account(
        "bitrix24",
        name="acme",
        base_url=BASE,
        credentials={
            "client_id": "app.123",
            "client_secret": "s3cret",
            "access_token": "AT1",
            "refresh_token": "RT1",
            "refresh_token_issued_at": int(time.time()) - 3600,
        },
    )


USERS_URL = f"{BASE}/rest/user.get"


def user_row(uid: str) -> dict:
    """A `user.get` result row (apidocs.bitrix24.com api-reference/user/user-get.md: ID is a
    string; NAME, LAST_NAME, EMAIL among the user_brief fields)."""
    return {"ID": uid, "ACTIVE": True, "NAME": f"Name{uid}", "LAST_NAME": f"Last{uid}",
            "EMAIL": f"user{uid}@acme.example", "WORK_POSITION": ""}  # fmt: skip


def serve_users(rsps, calls: list | None = None) -> None:
    """user.get answering every id in FILTER.ID, one page."""

    def callback(request):
        ids = [str(i) for i in json.loads(request.body)["FILTER"]["ID"]]
        if calls is not None:
            calls.append(ids)
        body = {"result": [user_row(i) for i in ids], "total": len(ids)}
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    rsps.add_callback(responses.POST, USERS_URL, callback=callback)


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        serve_users(mock)
        yield mock


@pytest.fixture
def portal(rsps):
    return FakePortal(rsps)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Each test starts with a full client-side bucket (throttles are process-wide)."""
    from signhub.core.http import throttle

    throttle.reset()
