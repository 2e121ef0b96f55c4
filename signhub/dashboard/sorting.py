"""The list's sort keys, declared once: what users pick, what pages walk, what headers flip.

Each key names the column it orders by (with an index on (column, id): keyset pages
need one), whether it can be NULL (walked in two segments, NULLs last) and the direction
a first click on its header picks: newest first for dates, A→Z for text. A key may order
by more columns after the first (`then`, never NULL): urgency is the group, then the time
within it (signhub.core.urgency), one index on (rank, time, id).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from signhub.core import urgency


@dataclass(frozen=True)
class SortKey:
    name: str  # as in ?sort=name / ?sort=-name
    label: str
    column: str
    nullable: bool
    descending_first: bool  # the first click on the header sorts Z→A / newest first
    then: tuple[str, ...] = ()  # further (non-null) columns, compared after `column`
    views: tuple[str, ...] = ("", "attention")  # the list views that offer it
    # What every row of those views satisfies and a partial index of the key requires:
    # said in the page query so the database may walk that index.
    index_condition: Q | None = None
    # The highest key value a row of those views has at a given time (None: no bound): said
    # to the page query, the index walk starts there.
    ceiling: Callable[[datetime], tuple] | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column, *self.then)

    def first_click(self) -> str:
        return f"-{self.name}" if self.descending_first else self.name


SORT_KEYS: dict[str, SortKey] = {
    key.name: key
    for key in (
        SortKey("completed", "Completed", "completed_at", nullable=True, descending_first=True),
        SortKey("created", "Created", "created_at", nullable=True, descending_first=True),
        SortKey("activity", "Last activity", "last_activity_at", True, descending_first=True),
        # title_sort: the title's natural sort key, stored at ingest (signhub.core.sort_keys).
        SortKey("title", "Title", "title_sort", nullable=False, descending_first=False),
        SortKey("status", "Status", "status", nullable=False, descending_first=False),
        # Most urgent first (overdue, failed, declined, expired; the latest first within
        # each): only in needs attention, whose documents all have a rank (the partial
        # index doc_attention_idx holds only those).
        SortKey(
            "urgency",
            "Urgency",
            "attention_rank",
            nullable=False,
            descending_first=True,
            then=("attention_at",),
            views=("attention",),
            index_condition=Q(attention_rank__gt=urgency.NONE),
            ceiling=urgency.ceiling,
        ),
    )
}
DEFAULT_SORT = "-completed"
ATTENTION_SORT = "-urgency"
DATETIME_COLUMNS = frozenset({"completed_at", "created_at", "last_activity_at", "attention_at"})

SORT_CHOICES = [
    (f"{sign}{key.name}", f"{key.label} {arrow}")
    for key in SORT_KEYS.values()
    for sign, arrow in (("-", "↓"), ("", "↑"))
]


def choices_for(view: str) -> list[tuple[str, str]]:
    """The "Sort by" options of a list view."""
    return [(v, label) for v, label in SORT_CHOICES if view in sort_key(v).views]


def sort_key(sort: str) -> SortKey:
    """The key of a sort value ("-title" → title); KeyError for an unknown one."""
    return SORT_KEYS[sort.lstrip("-")]


def toggled(current: str, name: str) -> str:
    """What a click on `name`'s header selects: its first direction, then the other one."""
    key = SORT_KEYS[name]
    if current == key.first_click():
        return key.name if key.descending_first else f"-{key.name}"
    return key.first_click()


def state(current: str, name: str) -> str:
    """aria-sort of `name`'s header."""
    if current == f"-{name}":
        return "descending"
    if current == name:
        return "ascending"
    return "none"
