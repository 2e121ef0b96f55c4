"""Walking one BoldSign listing to its true end.

Page numbers (`Page` from 1, `PageSize` 100, the maximum) reach only the first 10,000
records; after that each request carries `NextCursor` = the cursor of the last row read.
The walk ends on an empty page or once the reported `totalRecordsCount` is reached — a short
page alone is not trusted, in case the server clamps the page size. Rows come sorted by
`activityDate` descending, so an incremental walk may stop at the first page reaching rows
older than the previous high-water mark (minus an overlap).

Parameter names are PascalCase as the official SDK sends them (the server binds them
case-insensitively; the behalfList docs write them camelCase).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from signhub.core.errors import ConnectorError
from signhub.core.parsing import as_int

from .lists import Listing
from .mapping import activity_ts, row_cursor

PAGE_SIZE = 100  # documented maximum
PAGE_WINDOW = 10_000  # records reachable with page numbers


@dataclass
class RawPage:
    rows: list[dict[str, Any]]
    total: int | None
    page_size: int


def _rows(data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, dict):
        raise ConnectorError(
            "BoldSign sent a listing that is not a JSON object", code="malformed_response"
        )
    rows = data.get("result", data.get("Result"))
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise ConnectorError(
            "BoldSign sent a listing whose result is not a list", code="malformed_response"
        )
    return [row for row in rows if isinstance(row, dict)]


def _details(data: dict[str, Any]) -> dict[str, Any]:
    details = data.get("pageDetails", data.get("PageDetails"))
    return details if isinstance(details, dict) else {}


def walk(
    get_json: Callable[[str, dict[str, Any]], Any],
    listing: Listing,
    *,
    stop_before: int | None = None,
    on_first_page: Callable[[int], None] | None = None,
) -> Iterator[RawPage]:
    """Yield the listing's pages. `stop_before` (unix s): incremental threshold.

    `on_first_page(requests_left)` is told, once the total is known, how many more requests
    the full walk needs (for the rate budget's estimate).
    """
    page, cursor = 1, None
    seen: set[str] = set()  # ids read from this listing so far
    while True:
        params: dict[str, Any] = {**listing.params, "PageSize": PAGE_SIZE}
        if cursor is None:
            params["Page"] = page
        else:
            params["Page"] = 1
            params["NextCursor"] = cursor
        data = get_json(listing.path, params)
        rows = _rows(data)
        details = _details(data)
        total = as_int(details.get("totalRecordsCount"))
        size = as_int(details.get("pageSize"))
        size = size if size and 0 < size <= PAGE_SIZE else PAGE_SIZE
        yield RawPage(rows, total, size)
        if not rows:
            return
        ids = {str(r.get("documentId")) for r in rows}
        repeated = ids <= seen
        seen |= ids
        # Progress is the number of distinct rows read, not page arithmetic: a server that
        # clamps the page size while reporting ours, or a row shifting to the next page
        # while we read, must not end the walk early.
        position = len(seen)
        if page == 1 and cursor is None and on_first_page and total is not None:
            on_first_page(math.ceil(max(0, total - position) / size))
        if total is not None and position >= total:
            return
        if stop_before is not None:
            stamps = [t for t in (activity_ts(r) for r in rows) if t is not None]
            if stamps and min(stamps) < stop_before:
                return
        if repeated:
            # The server ignored our page/cursor and repeats itself: stop loudly rather
            # than loop, and do not let a full sync flag the unseen rest as removed.
            raise ConnectorError(
                f"BoldSign repeated a page of {listing.label or listing.key} instead of "
                "moving on; the listing could not be read to its end",
                code="paging_error",
            )
        if cursor is None and (page + 1) * size <= PAGE_WINDOW:
            page += 1
            continue
        cursor = row_cursor(rows[-1])
        if cursor is None:
            raise ConnectorError(
                f"BoldSign sent no cursor after {position} records of "
                f"{listing.label or listing.key}; past 10,000 records it is needed to go on",
                code="paging_error",
            )
