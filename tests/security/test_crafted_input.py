"""Crafted query input on the dashboard, download and verify URLs: a clear form error or
404, never a 500 (issue 15, finding 5, the dashboard side; the Persist side is in
tests/persist/).

The cursors are made the way `Cursor.encode` makes them, with the values an attacker
would put inside: each of these reached the database and failed there before.
"""

from __future__ import annotations

import base64
import json

import pytest
from django.urls import reverse

from signhub.core.models import AuditEvent
from signhub.dashboard.paging import Cursor, InvalidCursor

from .conftest import make_document

BIG = "99999999999999999999"  # beyond 64 bits


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def token(sort, null, value, pk=1, index=1) -> str:
    payload = json.dumps([sort, null, value, pk, index]).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


CRAFTED = {
    # SQLite: OverflowError converting to UTC; PostgreSQL: a date out of its range.
    "date past year 9999 in UTC": token("-completed", 0, "9999-12-31T23:59:59-12:00"),
    "date before year 1 in UTC": token("-completed", 0, "0001-01-01T00:00:00+12:00"),
    "naive date": token("-created", 0, "2026-01-01T00:00:00"),
    # UnicodeEncodeError binding the value, both databases.
    "lone surrogate": token("-title", 0, "\ud800"),
    # PostgreSQL DataError: text cannot contain NUL.
    "NUL in the title key": token("title", 0, "a\x00b"),
    "NUL in the status key": token("status", 0, "\x00"),
    "id beyond 64 bits": token("-title", 0, "x", 2**64),
    "float id": token("-title", 0, "x", 1.5),
    "deep json": base64.urlsafe_b64encode(b"[" * 400).decode(),
}


@pytest.mark.parametrize("name", list(CRAFTED))
def test_crafted_cursors_are_refused_by_the_decoder(name):
    with pytest.raises(InvalidCursor):
        Cursor.decode(CRAFTED[name])


@pytest.mark.parametrize("name", list(CRAFTED))
@pytest.mark.parametrize("direction", ["after", "before"])
def test_crafted_cursors_give_the_first_page_with_a_form_error(client, world, name, direction):
    client.force_login(world.admin)
    sort = "-created" if name == "deep json" else json.loads(b64decode(CRAFTED[name]))[0]
    query = {direction: CRAFTED[name], "sort": sort}
    response = client.get(reverse("dashboard:documents"), query)
    assert response.status_code == 200
    assert direction in response.context["form"].errors
    assert "That page link is no longer valid" in response.content.decode()
    assert response.context["page"].start == 1  # the first page, all five documents
    assert len(response.context["page"].rows) == 5
    partial = client.get(
        reverse("dashboard:documents"), query, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    assert partial.status_code == 200
    assert "That page link is no longer valid" in partial.content.decode()


def test_a_cursor_over_a_long_non_latin_title_still_pages(client, world):
    """Title cursors carry the title's sort key: written as UTF-8 (not \\u escapes) and
    within the field's length, page 2 of a list of long emoji and Cyrillic titles works."""
    for i in range(27):
        word = "📄" if i % 2 else "Договор "
        make_document(world.account_a, f"LONG{i}", title=word * 150 + f"{i:02d}")
    client.force_login(world.admin)
    first = client.get(reverse("dashboard:documents"), {"sort": "title", "per_page": 25})
    page = first.context["page"]
    assert len(page.rows) == 25 and page.next_token
    after = client.get(reverse("dashboard:documents"), {"sort": "title", "after": page.next_token})
    assert "after" not in after.context["form"].errors
    second = after.context["page"]
    assert second.start == 26 and len(second.rows) == 32 - 25
    assert not {d.pk for d in second.rows} & {d.pk for d in page.rows}


@pytest.mark.parametrize("ids", [BIG, f"-{BIG}", "0", str(2**63)])
def test_evidence_pack_ids_beyond_64_bits_are_a_400_form_error(client, world, ids):
    client.force_login(world.admin)
    response = client.post(reverse("downloads:evidence_pack"), {"ids": [ids, "1"]})
    assert response.status_code == 400
    assert "not a document id" in response.content.decode()
    assert not AuditEvent.objects.filter(action="evidence_pack").exists()


def test_evidence_pack_filter_with_crafted_parameters_is_not_a_500(client, world):
    client.force_login(world.admin)
    query = {"account": BIG, "after": CRAFTED["lone surrogate"], "completed_from": "0001-01-01"}
    response = client.post(
        reverse("downloads:evidence_pack") + "?" + "&".join(f"{k}={v}" for k, v in query.items()),
        {"scope": "filter"},
    )
    # The confirmation page, or a 400 naming the filter it refuses (finding 6): never a 500.
    assert response.status_code in (200, 400)
    assert "evidence" in response.content.decode().lower()


@pytest.mark.parametrize(
    "path",
    [
        f"/documents/{BIG}/",
        f"/documents/{BIG}/download/signed",
        f"/documents/{BIG}/preview/signed",
        "/documents/{doc}/download/%00",
        "/documents/{doc}/preview/%ED%A0%80",
        f"/verify/jobs/{BIG}/",
        f"/accounts/{BIG}/status/",
        "/accounts/{account}/status/?run=" + BIG,
        "/accounts/{account}/status/?run=%C2%B2",
    ],
)
def test_ids_beyond_64_bits_in_paths_are_404(client, world, path):
    client.force_login(world.admin)
    path = path.replace("{account}", str(world.account_a.pk))
    path = path.replace("{doc}", str(world.docs_a[0].pk))
    assert client.get(path).status_code == (404 if "run=" not in path else 200)


@pytest.mark.parametrize("method", ["get", "post"])
def test_verify_with_an_id_beyond_64_bits_is_404(client, world, method):
    client.force_login(world.admin)
    response = getattr(client, method)(f"/documents/{BIG}/verify/signed")
    assert response.status_code in (404, 405)


@pytest.mark.parametrize(
    "params",
    [
        {"tz": "Europe/Berlin\x00"},
        {"tz": "\ufffd"},
        {"back": "\x00"},
        {"person": "\ufffd@x\x00"},
        {"label": "\x00,a"},
        {"per_page": "9" * 5000},
        {"account": "1" * 5000},
    ],
)
def test_other_hostile_parameters_are_not_500s(client, world, params):
    client.force_login(world.admin)
    assert client.get(reverse("dashboard:documents"), params).status_code == 200
    export = client.get(reverse("dashboard:export"), params)
    assert export.status_code == 200
    b"".join(export.streaming_content)
    assert client.get(f"/documents/{world.docs_a[0].pk}/", params).status_code == 200


def test_invalid_utf8_in_the_query_string_is_not_a_500(client, world):
    """A lone surrogate cannot travel in a URL: its UTF-8 form is invalid and arrives as
    U+FFFD. Only the base64 cursor can smuggle one in (above)."""
    client.force_login(world.admin)
    for query in ("q=%ED%A0%80", "tz=%ED%A0%80", "after=%ED%A0%80", "sort=%FF", "back=%ED%A0%80"):
        assert client.get(f"{reverse('dashboard:documents')}?{query}").status_code == 200


def test_a_hostile_time_zone_cookie_is_ignored(client, world):
    client.force_login(world.admin)
    for value in ("Europe%2FBerlin%00", "..%2F..%2Fetc", "%ED%A0%80"):
        client.cookies["tz"] = value
        assert client.get(reverse("dashboard:documents")).status_code == 200
