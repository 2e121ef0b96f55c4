""" "All documents matching the filter": the documents list's own selection.

The pack reads the same query parameters as the list and selects through the same
`DocumentList`, so the pack and the list never disagree. A filter that was not understood
is refused rather than dropped: dropping it would pack more than the user asked for (an
account they cannot see would widen to every account they can).
"""

from __future__ import annotations

from django.db.models import QuerySet

from signhub.dashboard.changelist import DocumentList


class FilterRefused(ValueError):
    """The filter has errors; `errors` are the form's, to show."""

    def __init__(self, errors) -> None:
        super().__init__("filter not understood")
        self.errors = errors


def filtered_documents(doc_list: DocumentList) -> QuerySet:
    """The documents the list selects for its user (visibility included), in its order: a
    pack capped at its limit holds the list's first documents."""
    if doc_list.form.errors:
        raise FilterRefused(doc_list.form.errors)
    return doc_list.ordered
