"""CSV export of a filtered document list: streamed, spreadsheet-safe, UTC timestamps."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from signhub.core.export import EXPORT_FIELDS, iter_export
from signhub.core.spreadsheet import safe_cell


class _Echo:
    """csv.writer target that hands each formatted line straight back."""

    def write(self, value: str) -> str:
        return value


def csv_lines(records: Iterable[dict]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # A byte-order mark so Excel reads UTF-8 names correctly.
    yield "\ufeff" + writer.writerow(EXPORT_FIELDS)
    for record in records:
        yield writer.writerow([safe_cell(record.get(name)) for name in EXPORT_FIELDS])


def export_lines(queryset: QuerySet) -> Iterator[str]:
    """Constant memory: rows come from a chunked iterator, one line at a time."""
    return csv_lines(iter_export(queryset))
