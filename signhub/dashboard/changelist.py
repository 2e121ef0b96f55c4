"""One object for the state of the documents list, in the spirit of the Django admin's
ChangeList: the validated filter, the documents it selects, their counts, the page shown,
and the query string of every link that changes one of them.

The list page, its HTMX partial, the CSV export, the evidence pack's "all matching the
filter" and the employee view (`?person=`) all build one from the same query string, so
they select the same documents by construction (`tests/dashboard/test_changelist.py`).
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from functools import cached_property

from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils import timezone

from signhub.core.models import ProviderAccount, SignedDocument

from .forms import DocumentFilterForm
from .paging import Cursor, PageResult, below, ordering, paginate
from .queries import Counts, cached_counts, counts_cache_key, filter_documents
from .sorting import ATTENTION_SORT, DEFAULT_SORT, sort_key
from .timezones import request_zone

# Columns a row shows (and its sort keys); `raw` (big) and `search_text` stay in the database.
ROW_FIELDS = [
    "id",
    "account_id",
    "provider",
    "external_id",
    "title",
    "title_sort",
    "status",
    "provider_status",
    "sender_name",
    "sender_email",
    "signers",
    "labels",
    "files",
    "created_at",
    "completed_at",
    "last_activity_at",
    "expires_at",
    "ended_at",
    "end_reason",
    "ended_by",
    "removed_at",
    # The urgency key (generated columns): what an urgency page's cursor carries.
    "attention_rank",
    "attention_at",
]
# The page position: a link that changes anything else starts again at the first page.
PAGE_PARAMS = ("after", "before")


def visible_accounts(user) -> list[ProviderAccount]:
    return list(
        ProviderAccount.objects.visible_to(user).defer("credentials", "sync_state", "options")
    )


class DocumentList:
    """The documents a user's query string selects, and how they are shown.

    `params` is the query string (a QueryDict); `tz` the viewer's zone (date presets mean
    the viewer's "this month"). Nothing touches the database until asked for.
    """

    def __init__(
        self,
        params: QueryDict,
        user,
        *,
        tz: tzinfo = UTC,
        accounts: list[ProviderAccount] | None = None,
        now=None,
    ) -> None:
        self.params = params
        self.user = user
        self.tz = tz
        self.now = now or timezone.now()
        self.accounts = visible_accounts(user) if accounts is None else accounts
        self.form = DocumentFilterForm(params, accounts=self.accounts)
        self.data = self.form.filter_data()
        view = self.data["view"]
        default = ATTENTION_SORT if view == "attention" else DEFAULT_SORT
        chosen = self.data["sort"]
        # A sort the view does not offer (urgency outside needs attention) is its default.
        self.sort = chosen if chosen and view in sort_key(chosen).views else default
        self.data["sort"] = self.sort
        self.per_page: int = self.data["per_page"]
        self.after, self.before = self._position(self.data["after"], self.data["before"])

    @classmethod
    def from_request(cls, request: HttpRequest, params: QueryDict | None = None, **kwargs):
        """The list of `request`'s query string (or `params`) in the viewer's zone."""
        kwargs.setdefault("tz", getattr(request, "viewer_tz", None) or request_zone(request))
        return cls(request.GET if params is None else params, request.user, **kwargs)

    def _position(self, after: Cursor | None, before: Cursor | None):
        """The page cursors that apply: a cursor of another sort (an edited URL) starts
        over, and `after` wins over `before`."""
        if after is not None and after.sort != self.sort:
            after = None
        if before is not None and not before.at_end and before.sort != self.sort:
            before = None
        return after, None if after is not None else before

    @cached_property
    def account_ids(self) -> list[int] | None:
        """The visible accounts (None: every account, for a superuser)."""
        return None if self.user.is_superuser else [a.pk for a in self.accounts]

    @cached_property
    def base(self) -> QuerySet:
        """Every filter but status: what the status chips count."""
        return self.base_in_view(self.data["view"])

    def base_in_view(self, view: str) -> QuerySet:
        """`base` with the same filters in another list view ("" is the plain list): what
        needs attention's expiring-soon group reads, without a second form to validate."""
        return filter_documents(
            SignedDocument.objects.visible_to(self.user),
            {**self.data, "view": view},
            now=self.now,
            tz=self.tz,
            account_ids=self.account_ids,
        )

    @cached_property
    def queryset(self) -> QuerySet:
        """The selected documents: every filter, status included."""
        statuses = self.data["status"]
        return self.base.filter(status__in=statuses) if statuses else self.base

    @cached_property
    def ordered(self) -> QuerySet:
        """The selection in the list's order, every page at once: what the CSV export and
        the evidence pack list (and, past its limit, take the first of)."""
        condition = sort_key(self.sort).index_condition
        selected = self.queryset if condition is None else self.queryset.filter(condition)
        return selected.order_by(*self.order)

    @cached_property
    def order(self) -> list:
        """The list's full order (its sort, NULLs last, ties by id): its pages, the CSV
        export and the evidence pack list the documents alike."""
        return ordering(self.sort)

    @cached_property
    def counts(self) -> Counts:
        key = counts_cache_key(self.data, self.accounts, self.user, self.tz)
        return cached_counts(key, self.base, self.data)

    @cached_property
    def page(self) -> PageResult:
        counts = self.counts
        rows = self.queryset.only(*ROW_FIELDS)
        key = sort_key(self.sort)
        if key.ceiling is not None and not self._walks_down_from_a_cursor:
            rows = below(rows, key.columns, key.ceiling(self.now))
        return paginate(
            rows,
            self.sort,
            self.per_page,
            after=self.after,
            before=self.before,
            total=None if counts.total_capped else counts.total,
        )

    @property
    def _walks_down_from_a_cursor(self) -> bool:
        """The page starts at a cursor and walks the key downwards: the cursor's row value
        is then the bound the index walk seeks to, and the sort key's ceiling above it would
        only compete with it (PostgreSQL starts a walk at one of two row-value bounds; at
        the ceiling it read down to the cursor: 3 ms in the middle of 1M documents)."""
        descending = self.sort.startswith("-")
        if descending:
            return self.after is not None
        return self.before is not None and not self.before.at_end

    @cached_property
    def path(self) -> str:
        """The list's URL path: one `reverse()` for the page's dozen links to itself."""
        return reverse("dashboard:documents")

    @property
    def page_number(self) -> int | None:
        start = self.page.start
        return (start - 1) // self.per_page + 1 if start else None

    def query_string(self, **changes) -> str:
        """The query string of this list with `changes` ("" when nothing is left).

        A value None removes the parameter, a list sets every value; the page position
        (`after` / `before`) is dropped unless given, since any other change makes it
        meaningless.
        """
        params = self.params.copy()
        for name in PAGE_PARAMS:
            if name not in changes:
                params.pop(name, None)
        for name, value in changes.items():
            if value is None or value == []:
                params.pop(name, None)
            elif isinstance(value, list | tuple):
                params.setlist(name, [str(v) for v in value])
            else:
                params[name] = str(value)
        encoded = params.urlencode()
        return f"?{encoded}" if encoded else ""
