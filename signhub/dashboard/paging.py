"""Keyset (cursor) pagination over the sort key plus id.

Why not page numbers: `OFFSET 500000` makes the database walk half a million index entries
on every deep page, so the Django admin's changelist gets slower the deeper you go. A
cursor remembers the last row's (sort value, id) and asks for the rows after it, which
costs the same on page 1 and page 40,000 given an index on (sort key, id).

Nullable sort keys (completed_at of a document still in progress) are walked in two
segments — rows with a value, then rows without (ordered by id) — so NULLs always come
last in both directions and each segment is a plain range scan of the same index.

A key of several columns (urgency: rank, then time, never NULL) is walked in one query
over its one index, the cursor carrying every column's value, the next page one row-value
comparison: `(rank, at, id) < (r, v, pk)`.

A cursor also carries the row number of its row, so the page can say "showing 51–75".
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import F, Field, Func, Q, QuerySet, Value

from .sorting import DATETIME_COLUMNS, SORT_KEYS, sort_key


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class Cursor:
    sort: str = ""
    null: bool = False  # in the NULL segment of a nullable key
    value: str | None = None
    id: int = 0
    index: int = 0  # 1-based row number of this row in the list; 0 when unknown
    at_end: bool = False  # "before the end": the last page

    END_TOKEN = "end"

    def encode(self) -> str:
        if self.at_end:
            return self.END_TOKEN
        # UTF-8 rather than \u escapes: a 100-character non-Latin title key stays short.
        payload = json.dumps(
            [self.sort, int(self.null), self.value, self.id, self.index],
            separators=(",", ":"),
            ensure_ascii=False,
        )
        return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        """The cursor in `token`; InvalidCursor for anything a page link never carries.

        Tokens come back from the query string, so they are hostile input: a value with a
        NUL (PostgreSQL refuses it), a lone surrogate (UTF-8 cannot encode it), a date whose
        UTC form falls outside datetime's range, or an id beyond 64 bits is refused here,
        before it can reach the database.
        """
        if token == cls.END_TOKEN:
            return cls(at_end=True)
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            sort, null, value, pk, index = json.loads(raw)
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, RecursionError):
            raise InvalidCursor(token) from None
        key = sort.lstrip("-") if isinstance(sort, str) else None
        if (
            key not in SORT_KEYS
            or null not in (0, 1)
            or not (value is None or _storable_value(value, SORT_KEYS[key]))
            or not isinstance(pk, int)
            or isinstance(pk, bool)
            or not isinstance(index, int)
            or not (0 <= pk < 2**63 and 0 <= index < 2**40)
            or (value is None) != bool(null)
        ):
            raise InvalidCursor(token)
        cursor = cls(sort=sort, null=bool(null), value=value, id=pk, index=index)
        cursor.typed_value()  # validates dates
        return cursor

    def typed_value(self):
        """The value as the database compares it (a tuple for a key of several columns)."""
        columns = sort_key(self.sort).columns
        if self.value is None:
            return None
        if len(columns) > 1:
            return tuple(_typed(c, v) for c, v in zip(columns, self.value, strict=True))
        return _typed(columns[0], self.value)


def _typed(column: str, value):
    if column not in DATETIME_COLUMNS:
        return value
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise InvalidCursor(value)
        # In UTC, as the database compares it; fails here for 9999-12-31T23:00-05:00.
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidCursor(value) from None


def _storable_value(value, key) -> bool:
    """One string for a one-column key; for a key of several, a list: the rank (a small
    int) and the other columns' strings."""
    if len(key.columns) == 1:
        return _storable(value)
    return (
        isinstance(value, list)
        and len(value) == len(key.columns)
        and isinstance(value[0], int)
        and not isinstance(value[0], bool)
        and 0 <= value[0] < 100
        and all(_storable(v) for v in value[1:])
    )


def _storable(value) -> bool:
    """A string both databases can bind: no NUL, no lone surrogate, a sane length."""
    if not isinstance(value, str) or len(value) > 300 or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass
class PageResult:
    rows: list
    start: int  # 1-based number of the first row; 0 when unknown (last page, approx. total)
    has_next: bool
    has_prev: bool
    next_token: str | None = None
    prev_token: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def end(self) -> int:
        return self.start + len(self.rows) - 1 if self.start else 0


def _after(attr: str | None, value, pk: int, desc: bool) -> Q:
    """Rows strictly after (value, pk) in the walking direction.

    The redundant `attr <= value` gives the database a range to seek to in the index.
    """
    if attr is None:
        return Q(id__lt=pk) if desc else Q(id__gt=pk)
    op, strict, id_op = ("lte", "lt", "lt") if desc else ("gte", "gt", "gt")
    return Q(**{f"{attr}__{op}": value}) & (
        Q(**{f"{attr}__{strict}": value}) | Q(**{attr: value, f"id__{id_op}": pk})
    )


class _Row(Func):
    """A row value, `(a, b, c)`: compared as a whole, left to right."""

    function = ""
    template = "(%(expressions)s)"
    output_field = Field()


def _row_compared(qs: QuerySet, columns: tuple[str, ...], values: tuple, lookup: str, alias: str):
    """`qs` where the row value of `columns` is `lookup` ("lt"/"gt") `values`. Values are
    bound through the columns' fields (SQLite stores dates as text; a GeneratedField by its
    output type); `alias` names the row so two comparisons can share a query."""
    fields = [qs.model._meta.get_field(c) for c in columns]
    fields = [f.output_field if f.generated else f for f in fields]
    bound = _Row(*(Value(v, output_field=f) for v, f in zip(values, fields, strict=True)))
    qs = qs.alias(**{alias: _Row(*(F(c) for c in columns))})
    return qs.filter(**{f"{alias}__{lookup}": bound})


def _after_all(qs: QuerySet, columns: tuple[str, ...], values: tuple, pk: int, desc: bool):
    """`qs` from just after (values…, pk) in the walking direction, for a key of several
    columns: one row-value comparison, `(rank, at, id) < (r, v, pk)`, which both databases
    turn into a seek in the (rank, at, id) index. Spelled out as ORs, only the first
    column bounds the scan: a deep page of 150,000 overdue documents would read all those
    above it."""
    lookup = "lt" if desc else "gt"
    return _row_compared(qs, (*columns, "id"), (*values, pk), lookup, "_keyset_row")


def below(qs: QuerySet, columns: tuple[str, ...], values: tuple) -> QuerySet:
    """`qs` where the row value of `columns` is below `values`: a bound a walk of an index
    on those columns seeks to."""
    return _row_compared(qs, columns, values, "lt", "_bound_row")


def ordering(sort: str) -> list:
    """The full order of `sort` (NULLs last, ties by id): exports and packs list the
    documents as the pages do."""
    key = sort_key(sort)
    desc = sort.startswith("-")
    order = [F(c).desc(nulls_last=True) if desc else F(c).asc(nulls_last=True) for c in key.columns]
    return [*order, "-id" if desc else "id"]


def _walk(
    qs: QuerySet,
    sort: str,
    cursor: Cursor | None,
    limit: int,
    backward: bool,
    small: bool = False,
) -> list:
    key = sort_key(sort)
    attr, nullable = key.column, key.nullable
    desc = sort.startswith("-") != backward
    if key.index_condition is not None:
        qs = qs.filter(key.index_condition)
    if len(key.columns) > 1:  # several columns, none NULL: one segment, one query
        if cursor is not None and not cursor.at_end:
            qs = _after_all(qs, key.columns, cursor.typed_value(), cursor.id, desc)
        prefix = "-" if desc else ""
        return list(qs.order_by(*(f"{prefix}{c}" for c in key.columns), f"{prefix}id")[:limit])
    if small and nullable and cursor is None:
        # A result known to be small: one query with NULLS LAST gives the same order as
        # the two segments, without a second (index-less, for a rare match) query.
        order = F(attr).desc(nulls_last=True) if desc else F(attr).asc(nulls_last=True)
        return list(qs.order_by(order, "-id" if desc else "id")[:limit])
    segments = [False, True] if nullable else [False]
    if backward:
        segments.reverse()
    if cursor is not None and not cursor.at_end:
        segments = segments[segments.index(cursor.null) :]
    rows: list = []
    for null_segment in segments:
        part = qs.filter(**{f"{attr}__isnull": null_segment}) if nullable else qs
        if cursor is not None and not cursor.at_end and cursor.null == null_segment:
            column = None if null_segment else attr
            part = part.filter(_after(column, cursor.typed_value(), cursor.id, desc))
        prefix = "-" if desc else ""
        order = [f"{prefix}id"] if null_segment else [f"{prefix}{attr}", f"{prefix}id"]
        rows.extend(part.order_by(*order)[: limit - len(rows)])
        if len(rows) >= limit:
            break
    return rows


def _cursor_for(row, sort: str, index: int) -> Cursor:
    values = [getattr(row, column) for column in sort_key(sort).columns]
    values = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    value = values[0] if len(values) == 1 else values
    return Cursor(sort=sort, null=value is None, value=value, id=row.pk, index=index)


def paginate(
    qs: QuerySet,
    sort: str,
    per_page: int,
    after: Cursor | None = None,
    before: Cursor | None = None,
    total: int | None = None,
) -> PageResult:
    """One page of `qs` (already filtered) in one or two queries.

    `total` is the exact row count when known; it numbers the last page.
    """
    backward = before is not None
    small = total is not None and total <= per_page and after is None and before is None
    rows = _walk(qs, sort, before or after, per_page + 1, backward, small)
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backward:
        rows.reverse()
        if before.at_end:
            start = total - len(rows) + 1 if total is not None else 0
            has_next = False
        else:
            start = max(before.index - len(rows), 1) if before.index else 0
            has_next = True
        has_prev = more
        if not more:
            start = 1
            if len(rows) < per_page and has_next:
                # Back past the beginning (rows were added meanwhile): show the true first page.
                return paginate(qs, sort, per_page, total=total)
    else:
        start = after.index + 1 if after and after.index else (1 if after is None else 0)
        has_prev = after is not None
        has_next = more
    result = PageResult(rows=rows, start=max(start, 0), has_next=has_next, has_prev=has_prev)
    if rows:
        first_index = result.start
        last_index = result.end
        if has_next:
            result.next_token = _cursor_for(rows[-1], sort, last_index).encode()
        if has_prev:
            result.prev_token = _cursor_for(rows[0], sort, first_index).encode()
    return result
