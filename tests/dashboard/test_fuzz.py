"""Hypothesis fuzz over the documents list: its query string and its cursors; none may
answer 5xx (issue 15, finding 5).

Every list parameter (and a few it does not know) gets hostile text — lone surrogates
(sent as the invalid UTF-8 they would be on the wire), NUL and other controls, numbers
beyond 64 bits, dates past datetime's range — and the cursors `after` / `before` are
either random text or well-formed tokens with such values inside, which is what reached the
database before. Each example sends one query string to the page (or its HTMX partial) and
to the CSV export (or the evidence pack's "all matching" confirmation). Derandomized, bounded to a
few seconds; runs on whatever DATABASE_URL names (SQLite and PostgreSQL in CI).
"""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signhub.dashboard.forms import DocumentFilterForm
from signhub.dashboard.paging import SORT_KEYS
from tests.hostile import (
    deep_json,
    edge_dates,
    edge_strings,
    fuzz_settings,
    hostile_text,
    huge_numbers,
)

from .conftest import bulk_docs

# Every field of the list's form (so a new filter is fuzzed too), and a few it does not read.
PARAMS = [*DocumentFilterForm.base_fields, "tz", "back", "page", "ids", "scope", "confirm"]
SORTS = [f"{sign}{key}" for key in SORT_KEYS for sign in ("", "-")]

values = st.one_of(
    st.text(max_size=20),
    hostile_text,
    edge_strings,
    edge_dates,
    huge_numbers.map(str),
    st.sampled_from(["", "1", "fake", "completed", "this_month", "attention", "end", "UTC"]),
    st.sampled_from(SORTS),
)
cursor_values = st.one_of(st.text(max_size=10), hostile_text, edge_strings, edge_dates)
ids = st.integers(0, 50) | huge_numbers


def _token(parts) -> str:
    text = json.dumps(parts, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


# A well-formed cursor with a hostile value, and the sort it belongs to (a cursor of another
# sort is dropped before it is used, so it would test nothing).
crafted = st.tuples(
    st.sampled_from(SORTS),
    st.sampled_from(["after", "before"]),
    cursor_values,
    ids,
    ids,
).map(lambda c: [("sort", c[0]), (c[1], _token([c[0], 0, c[2], c[3], c[4]]))])
garbage = st.one_of(
    st.tuples(st.sampled_from(SORTS) | hostile_text, st.integers(-1, 2), cursor_values, ids, ids)
    .map(list)
    .map(_token),
    deep_json(20, 2000).map(lambda raw: base64.urlsafe_b64encode(raw).decode()),
    st.binary(max_size=40).map(lambda raw: base64.urlsafe_b64encode(raw).decode()),
    hostile_text,
)


def _with_cursor(parts) -> list[tuple[str, str]]:
    """The generated pairs; a crafted cursor replaces any sort and cursor among them."""
    pairs, cursor = parts
    if not cursor:
        return pairs
    return cursor + [p for p in pairs if p[0] not in ("sort", "after", "before")]


queries = st.tuples(
    st.lists(
        st.tuples(st.sampled_from(PARAMS), values)
        | st.tuples(st.sampled_from(["after", "before"]), garbage),
        max_size=6,
    ),
    st.none() | crafted,
).map(_with_cursor)


def _query(pairs) -> str:
    return urlencode(pairs, errors="surrogatepass")


@pytest.mark.django_db
def test_generated_list_queries_never_answer_5xx(client, superuser, accounts):
    bulk_docs(accounts[0], 8)
    client.force_login(superuser)
    sent = 0

    @fuzz_settings(max_examples=60)
    @given(pairs=queries, partial=st.booleans(), other=st.sampled_from(["export", "pack"]))
    def run(pairs, partial, other):
        nonlocal sent
        query = _query(pairs)
        headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"} if partial else {}
        page = client.get(f"/documents/?{query}", **headers)
        assert page.status_code == 200, pairs
        if other == "export":
            export = client.get(f"/documents/export.csv?{query}")
            assert export.status_code == 200, pairs
            b"".join(export.streaming_content)
        else:
            pack = client.post(f"/documents/evidence-pack/?{query}", {"scope": "filter"})
            assert pack.status_code < 500, pairs
        sent += 2

    run()
    assert sent == 120
