"""The list's queries: filters from the validated form, and bounded counts.

Everything starts from `SignedDocument.objects.visible_to(user)`, so a reviewer never
counts, lists or exports a document of an account their groups cannot see; the party
filters (signer, employee) look only at documents of visible accounts from their first
query on, so "signed nothing" and "signed only where you cannot look" are one answer.
`signhub.dashboard.changelist.DocumentList` puts them together.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from signhub.core.dialects import has_label, text_search
from signhub.core.models import DocumentParty
from signhub.core.status import DocumentStatus

from .dates import custom_range, preset_range
from .estimates import Estimate, compiled, estimate_counts
from .forms import DATE_AXES

ATTENTION_DAYS = 30
ATTENTION_STATUSES = (DocumentStatus.DECLINED, DocumentStatus.EXPIRED, DocumentStatus.FAILED)


PARTY_ID_LIMIT = 5_000


def _party_docs(email: str, role: str, account_ids: list[int] | None) -> list[int] | QuerySet:
    """Ids of documents of the visible accounts (`account_ids`; None: all) where `email`
    has `role` (read from party_email_idx alone, plus the documents' accounts when limited).

    Fetched first as a plain list when there are few: with literal ids PostgreSQL fetches
    exactly those documents and sorts them, instead of walking the date index with a semi
    join (measured 20x slower on 1M documents). Thousands of documents stay a subquery.
    Senders are matched on the document's own column instead (an HR sender has many).
    """
    parties = DocumentParty.objects.filter(email=email, role=role)
    if account_ids is not None:
        parties = parties.filter(document__account_id__in=account_ids)
    ids = list(parties.values_list("document_id", flat=True)[: PARTY_ID_LIMIT + 1])
    return ids if len(ids) <= PARTY_ID_LIMIT else parties.values("document_id")


def _date_range(data: dict, axis: str, now: datetime, tz: tzinfo):
    preset = data[axis]
    if preset == "custom" or (not preset and (data[f"{axis}_from"] or data[f"{axis}_to"])):
        return custom_range(data[f"{axis}_from"], data[f"{axis}_to"], tz)
    return preset_range(preset, now, tz)


def attention_q(now: datetime) -> Q:
    """Declined/expired/failed in the last 30 days, or still in progress past expiry
    (every one of them has an urgency rank: signhub.core.urgency)."""
    since = now - timedelta(days=ATTENTION_DAYS)
    recent = Q(last_activity_at__gte=since) | Q(
        last_activity_at__isnull=True, created_at__gte=since
    )
    overdue = Q(status=DocumentStatus.IN_PROGRESS, expires_at__lt=now)
    return (Q(status__in=ATTENTION_STATUSES) & recent) | overdue


def filter_documents(
    qs: QuerySet, data: dict, *, now: datetime, tz: tzinfo, account_ids: list[int] | None
) -> QuerySet:
    """Every filter except status (the status chips count across statuses).

    `account_ids` are the accounts the user may see (None: every account).
    """
    if not data["removed"]:
        qs = qs.filter(removed_at__isnull=True)
    # Each word must appear; search_text is lower-cased (indexes: signhub.core.dialects).
    qs = text_search(qs, data["q"].lower().split()[:8])
    if data["provider"]:
        qs = qs.filter(provider__in=data["provider"])
    if data["account"]:
        qs = qs.filter(account_id__in=data["account"])
    for axis, column in DATE_AXES.items():
        start, end = _date_range(data, axis, now, tz)
        if start:
            qs = qs.filter(**{f"{column}__gte": start})
        if end:
            qs = qs.filter(**{f"{column}__lt": end})
    if data["sender"] or data["person"]:
        qs = qs.alias(sender_key=Lower("sender_email"))  # doc_sender_*_idx
    if data["sender"]:
        qs = qs.filter(sender_key=data["sender"])
    if data["signer"]:
        signed = _party_docs(data["signer"], DocumentParty.Role.SIGNER, account_ids)
        qs = qs.filter(pk__in=signed)
    if data["person"]:
        signed = _party_docs(data["person"], DocumentParty.Role.SIGNER, account_ids)
        qs = qs.filter(Q(sender_key=data["person"]) | Q(pk__in=signed))
    for n, label in enumerate(data["label"]):
        qs = has_label(qs, label, n)
    if data["view"] == "attention":
        qs = qs.filter(attention_q(now))
    return qs


@dataclass
class Counts:
    total: int
    total_capped: bool
    by_status: dict[str, int]
    capped_statuses: set[str]
    approximate_total: int | None = None  # the estimate shown as "about n", when there is one
    approximate: bool = False  # chip counts are estimates (planner or id sample), big results


# Trust an estimate instead of counting when it says the result is this many times the
# cap. A wrong guess only turns exact chips into "≈ n" ones; counting up to the cap instead
# reads 10,000 rows (30 ms where no index covers the filter, more on SQLite).
ESTIMATE_MARGIN = 2


def _grouped_capped(base: QuerySet, cap: int) -> dict[str, int]:
    """Per-status counts of the first cap+1 matching rows, in one query reading them once."""
    query = compiled(base.order_by().values("status")[: cap + 1])
    if query is None:
        return {}
    sql, params = query
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status, COUNT(*) FROM ({sql}) AS capped GROUP BY status", params)
        return dict(cursor.fetchall())


def _exact(by_status: dict[str, int], statuses: list[str]) -> Counts:
    by_status = {s: by_status.get(s, 0) for s in DocumentStatus.values}
    total = sum(by_status[s] for s in (statuses or DocumentStatus.values))
    return Counts(total, False, by_status, set())


def _approximate(estimate: Estimate, statuses: list[str], cap: int, about: bool = True) -> Counts:
    """Big results: the chips are the estimate ("≈ n"); the total "about n", or "10,000+"
    when the estimate itself turned out too low (`about=False`)."""
    by_status = estimate.by_status
    total = sum(by_status[s] for s in statuses) if statuses else estimate.total
    return Counts(
        total=min(total, cap) if about else cap,
        total_capped=True,
        by_status=by_status,
        capped_statuses=set(DocumentStatus.values),
        approximate_total=total if about else None,
        approximate=True,
    )


def count_documents(
    base: QuerySet,
    statuses: list[str],
    cap: int | None = None,
    possible: tuple[str, ...] | None = None,
) -> Counts:
    """The total and per-status chip counts; never counts a million rows.

    - First an estimate that reads (almost) no rows (`estimates.py`: PostgreSQL's planner,
      a sample of 2,000 ids on SQLite). When it expects far more rows than the cap, every
      number is that estimate, shown as "about n" / "≈ n". `possible` narrows the
      statuses a filter admits (the others estimate 0).
    - Otherwise one query groups the first cap+1 matching rows by status: exact counts
      when the result is within the cap.
    - Past the cap after all (the estimate was low): the estimate's chips, "10,000+".

    `cap` defaults to the SIGNHUB_COUNT_CAP setting.
    """
    cap = settings.SIGNHUB_COUNT_CAP if cap is None else cap
    estimate = estimate_counts(base, possible)
    if estimate is not None and estimate.exact:
        return _exact(estimate.by_status, statuses)
    if estimate is not None and estimate.total > ESTIMATE_MARGIN * cap:
        return _approximate(estimate, statuses, cap)
    grouped = _grouped_capped(base, cap)
    if sum(grouped.values()) <= cap:
        return _exact(grouped, statuses)
    if estimate is None:  # PostgreSQL could not explain: the first cap+1 rows, "n+"
        by_status = {s: grouped.get(s, 0) for s in DocumentStatus.values}
        return Counts(cap, True, by_status, set(DocumentStatus.values))
    return _approximate(estimate, statuses, cap, about=estimate.total > cap)


COUNTS_CACHE_SECONDS = 30


def counts_cache_key(data: dict, accounts: list, user, tz) -> str:
    """Counts depend on the filters (not sort, page or page size) and on what the user sees."""
    relevant = {k: v for k, v in data.items() if k not in ("sort", "per_page", "after", "before")}
    scope = "all" if user.is_superuser else sorted(a.pk for a in accounts)
    digest = hashlib.sha256(repr((sorted(relevant.items()), scope, str(tz))).encode())
    return f"dashboard:counts:{digest.hexdigest()}"


def possible_statuses(data: dict) -> tuple[str, ...] | None:
    """The statuses a filter admits, when it narrows them (needs attention)."""
    if data["view"] == "attention":
        return (*ATTENTION_STATUSES, DocumentStatus.IN_PROGRESS)
    return None


def cached_counts(key: str, base: QuerySet, data: dict) -> Counts:
    """Paging and sorting reuse the counts of the first page for a short while."""
    counts = cache.get(key)
    if counts is None:
        counts = count_documents(base, data["status"], possible=possible_statuses(data))
        cache.set(key, counts, COUNTS_CACHE_SECONDS)
    return counts
