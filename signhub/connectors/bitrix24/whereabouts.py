"""Where each page of a list started at the last full sync, so a download finds its row
in a bounded number of calls.

A `file_url` lives as long as the access token, so a download has to list the row again.
Walking from offset 0 costs N/50 calls for the N-th newest document (the oldest of 5,000:
~100 calls, a minute at the portal's pace). A full sync therefore keeps, per list, the
offset and first id of every page (`[[offset, first_id], ...]`, ids descending); a download
starts at the page that held the row and moves a page forward while the page is entirely
newer (documents were added above it) or back while it is entirely older (some above it
were removed). A few pages later without an answer, the caller walks from offset 0.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .mapping import row_id

STATE_KEY = "page_starts"
NEAR_CALLS = 4  # pages tried around the hint before walking from offset 0
FALLBACK = object()  # "no answer near the hint": walk from offset 0

Rows = list[dict[str, Any]]


class PageStarts:
    """Collected while a full sync walks a list; saved once the list was read to its end."""

    def __init__(self) -> None:
        self.pages: dict[str, list[list[int]]] = {}

    def add(self, list_name: str, offset: int, ids: list[str]) -> None:
        if ids:
            self.pages.setdefault(list_name, []).append([offset, int(ids[0])])

    def save(self, state: dict[str, Any], list_name: str) -> None:
        state.setdefault(STATE_KEY, {})[list_name] = self.pages.get(list_name, [])


def hint(sync_state: dict[str, Any] | None, list_name: str, target: int) -> int | None:
    """The offset of the page that held `target` at the last full sync, if known."""
    starts = ((sync_state or {}).get(STATE_KEY) or {}).get(list_name) or []
    found = None
    for offset, first_id in starts:  # newest first: the last page starting at or above it
        if first_id < target:
            break
        found = offset
    return found


def find_near(fetch: Callable[[int], Rows], target: int, start: int) -> dict | None | object:
    """The row of `target` around `start`: the row, None when the list no longer has it
    (its id falls between two listed ids), or FALLBACK."""
    offset, direction, step = start, 0, 0
    for _ in range(NEAR_CALLS):
        rows = fetch(offset)
        ids = [int(i) for i in (row_id(r) for r in rows) if i is not None]
        for row in rows:
            if row_id(row) == str(target):
                return row
        if not ids:
            if offset == 0:
                return None  # the list is empty
            moving = -1  # past the end: rows above were removed
        elif min(ids) > target:
            moving = 1  # all newer: documents were added above it
        elif max(ids) < target:
            moving = -1  # all older: documents above it were removed
        else:
            return None  # it would be on this page: gone
        if direction and moving != direction:
            return None  # between the last two pages: gone
        direction, step = moving, len(rows) or step or 50
        offset = offset + step if moving > 0 else max(0, offset - step)
        if moving < 0 and offset == 0 and start == 0:
            return None
    return FALLBACK
