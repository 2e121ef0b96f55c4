"""JSign test helpers: recorded-shape fixtures, an account, and a responses mock."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import responses

BASE = "https://api.jsign.test"
API = f"{BASE}/api/v2.0"
FIXTURES = Path(__file__).parent / "fixtures"
FAR_FUTURE = 4102444800  # 2100-01-01, absolute unix time like JSign's expires_in
IDS = [
    "3755cdbe-31e5-47cf-9c81-ea7d5033f8ab",
    "11111111-0000-4000-8000-000000000002",
    "11111111-0000-4000-8000-000000000003",
    "11111111-0000-4000-8000-000000000004",
]


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def account(make_account):
    return make_account(
        "jsign",
        name="jsign-hr",
        base_url=BASE,
        credentials={
            "access_token": "old-access",
            "refresh_token": "old-refresh",
            "expires_in": FAR_FUTURE,
        },
    )


def page_matcher(page: int):
    return responses.matchers.json_params_matcher({"page": page}, strict_match=False)


def list_page(mock, page: int, body: Any, status: int = 200, **kwargs) -> None:
    mock.post(
        f"{API}/envelopes/list", json=body, status=status, match=[page_matcher(page)], **kwargs
    )


def three_pages(mock) -> None:
    """The paging scenario: 3 pages, one id repeated across pages 1 and 2."""
    list_page(mock, 1, load("list_page1.json"))
    list_page(mock, 2, load("list_page2.json"))
    list_page(mock, 3, load("list_page3_last.json"))
    mock.get(f"{API}/envelopes/{IDS[0]}/details", json=load("details_in_progress.json"))
    mock.get(f"{API}/envelopes/{IDS[1]}/details", json=load("details_completed.json"))
    mock.get(f"{API}/envelopes/{IDS[2]}/details", json=load("details_cancelled.json"))
    mock.get(f"{API}/envelopes/{IDS[3]}/details", json=load("error_not_found.json"), status=400)


def calls_to(mock, suffix: str) -> list:
    return [c for c in mock.calls if c.request.url.split("?")[0].endswith(suffix)]
