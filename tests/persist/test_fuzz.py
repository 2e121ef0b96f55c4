"""Hypothesis fuzz: >= 1,000 generated requests against the API; none may answer 5xx.

Values include lone surrogates, NUL and other control characters, numbers far beyond 64
bits and deeply nested JSON; bodies are sent as JSON, query, form or raw bytes, with good,
read-only, bad and no tokens. Runs on whatever DATABASE_URL names (SQLite and PostgreSQL in
CI), with the same examples every run (derandomized). Each example sends a small batch of
requests, which keeps Hypothesis' per-example overhead low enough for the whole run to take
seconds. The documents list has its own: tests/dashboard/test_fuzz.py.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.hostile import deep_json, edge_strings, fuzz_settings, hostile_text, huge_numbers

from . import pki

VALID_CMS = base64.b64encode(pki.make_cms(b"fuzz")).decode()
VALID_XML = base64.b64encode(pki.xml_signed()).decode()
KEYS = [
    "document", "thread", "chain", "version", "cms", "signature", "tags", "limit", "offset",
    "count", "stage", "version_created_by", "version_comment", "tags[]", "x",
]  # fmt: skip
BATCH = 4
scalars = st.one_of(
    st.none(),
    st.booleans(),
    huge_numbers,
    st.floats(allow_nan=True),
    st.text(max_size=30),
    hostile_text,
    st.sampled_from(["doc", "t", "1", "0", "true", VALID_CMS, VALID_XML, "MAA=", "<a/>"]),
    edge_strings,
)
values = (
    scalars
    | st.lists(scalars, max_size=3)
    | st.dictionaries(st.text(max_size=5), scalars, max_size=2)
)
requests = st.fixed_dictionaries(
    {
        "method": st.sampled_from(["GET", "POST", "DELETE", "PUT"]),
        "path": st.sampled_from(["signature", "signatures"]),
        "data": st.dictionaries(st.sampled_from(KEYS), values, max_size=8),
        "style": st.sampled_from(["json", "query", "form", "raw"]),
        "raw": st.binary(max_size=64) | deep_json(),
        "content_type": st.sampled_from(
            [
                "application/json",
                "text/plain",
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x",
                "",
            ]
        ),
        "auth": st.sampled_from(["good", "good", "good", "read-only", "none", "bad"]),
    }
)


def _flat(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _send(client, tokens: tuple[str, str], req: dict):
    headers = {
        "good": {"Authorization": f"Bearer {tokens[0]}"},
        "read-only": {"Authorization": f"Bearer {tokens[1]}"},
        "none": {},
        "bad": {"Authorization": "Bearer x"},
    }[req["auth"]]
    method, url, data = req["method"], f"/persist/{req['path']}", req["data"]
    pairs = [(k, _flat(v)) for k, v in data.items() if v is not None]
    if req["style"] == "json":
        body, content_type = json.dumps(data), "application/json"
    elif req["style"] == "query":
        query = urlencode(pairs, errors="surrogatepass")
        url, body, content_type = f"{url}?{query}", "", "application/octet-stream"
    elif req["style"] == "form":
        body = urlencode(pairs, errors="surrogatepass")
        content_type = "application/x-www-form-urlencoded"
    else:
        body, content_type = req["raw"], req["content_type"]
    return client.generic(method, url, body, content_type=content_type, headers=headers)


@pytest.mark.django_db
def test_generated_requests_never_answer_5xx(client, rw_token, ro_token):
    sent = 0

    @fuzz_settings(max_examples=260)
    @given(batch=st.lists(requests, min_size=BATCH, max_size=BATCH))
    def run(batch):
        nonlocal sent
        for req in batch:
            r = _send(client, (rw_token, ro_token), req)
            sent += 1
            assert r.status_code < 500, req
            body = r.json()
            assert isinstance(body["status"], bool)
            if not body["status"]:
                assert body["code"] and body["message"] and body["content"] is None, body
                assert r.status_code >= 400

    run()
    assert sent >= 1000
