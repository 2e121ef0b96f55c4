"""Shared bits for the Box tests: fixtures on disk, URLs, account factories."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://api.box.com"
LIST_URL = f"{BASE}/2.0/sign_requests"
TOKEN_URL = f"{BASE}/oauth2/token"

OAUTH = {
    "client_id": "cid",
    "client_secret": "csecret",
    "access_token": "at-OLD",
    "refresh_token": "rt-OLD",
}
CCG = {
    "client_id": "cid",
    "client_secret": "csecret",
    "subject_type": "enterprise",
    "subject_id": "777",
}
DEVELOPER = {"access_token": "dev-token"}


def load(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
