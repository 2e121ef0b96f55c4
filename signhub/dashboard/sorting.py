"""The list's sort keys, declared once: what users pick, what pages walk, what headers flip.

Each key names the column it orders by (with an index on (column, id): keyset pages
need one), whether it can be NULL (walked in two segments, NULLs last) and the direction
a first click on its header picks: newest first for dates, A→Z for text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SortKey:
    name: str  # as in ?sort=name / ?sort=-name
    label: str
    column: str
    nullable: bool
    descending_first: bool  # the first click on the header sorts Z→A / newest first

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
    )
}
DEFAULT_SORT = "-completed"
# Needs-attention documents are mostly undated (declined, expired...): newest activity
# first is the useful order there, and walks an index that finds them.
ATTENTION_SORT = "-activity"
DATETIME_COLUMNS = frozenset(k.column for k in SORT_KEYS.values() if k.nullable)

SORT_CHOICES = [
    (f"{sign}{key.name}", f"{key.label} {arrow}")
    for key in SORT_KEYS.values()
    for sign, arrow in (("-", "↓"), ("", "↑"))
]


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
