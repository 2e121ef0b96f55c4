"""The list's queries: filters from the validated form, and bounded counts.

Everything starts from `SignedDocument.objects.visible_to(user)`, so a reviewer never
counts, lists or exports a document of an account their groups cannot see.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL

from signhub.core.models import DocumentParty, SignedDocument
from signhub.core.status import DocumentStatus

from .dates import custom_range, preset_range

COUNT_CAP = 10_000  # counts stop here ("10,000+"): an exact COUNT(*) of 1M rows is slow
ATTENTION_DAYS = 30
ATTENTION_STATUSES = (DocumentStatus.DECLINED, DocumentStatus.EXPIRED, DocumentStatus.FAILED)


PARTY_ID_LIMIT = 5_000


def _party_docs(email: str, role: str | None = None) -> list[int] | QuerySet:
    """Ids of documents where `email` is a party (party_email_idx).

    Fetched first as a plain list when there are few: with literal ids PostgreSQL fetches
    exactly those documents and sorts them, instead of walking the date index with a semi
    join (measured 20x slower on 1M documents). A person with thousands of documents
    (the HR sender) stays a subquery.
    """
    parties = DocumentParty.objects.filter(email=email)
    if role:
        parties = parties.filter(role=role)
    ids = list(parties.values_list("document_id", flat=True)[: PARTY_ID_LIMIT + 1])
    return ids if len(ids) <= PARTY_ID_LIMIT else parties.values("document_id")


def _has_label(qs: QuerySet, label: str, n: int) -> QuerySet:
    """Exact label match (labels is a JSON list of strings)."""
    if connection.features.supports_json_field_contains:
        return qs.filter(labels__contains=[label])
    # SQLite has no JSON containment operator: look inside the array with json_each.
    table = SignedDocument._meta.db_table
    alias = f"has_label_{n}"
    sql = f'EXISTS (SELECT 1 FROM json_each("{table}"."labels") WHERE json_each.value = %s)'
    return qs.alias(**{alias: RawSQL(sql, [label])}).filter(**{alias: True})


def _date_range(data: dict, axis: str, now: datetime, tz: tzinfo):
    preset = data[axis]
    if preset == "custom" or (not preset and (data[f"{axis}_from"] or data[f"{axis}_to"])):
        return custom_range(data[f"{axis}_from"], data[f"{axis}_to"], tz)
    return preset_range(preset, now, tz)


def attention_q(now: datetime) -> Q:
    """Declined/expired/failed in the last 30 days, or still in progress past expiry."""
    since = now - timedelta(days=ATTENTION_DAYS)
    recent = Q(last_activity_at__gte=since) | Q(
        last_activity_at__isnull=True, created_at__gte=since
    )
    overdue = Q(status=DocumentStatus.IN_PROGRESS, expires_at__lt=now)
    return (Q(status__in=ATTENTION_STATUSES) & recent) | overdue


def filter_documents(qs: QuerySet, data: dict, *, now: datetime, tz: tzinfo) -> QuerySet:
    """Every filter except status (the status chips count across statuses)."""
    if not data["removed"]:
        qs = qs.filter(removed_at__isnull=True)
    # Each word must appear; search_text is lower-cased, `contains` escapes % and _.
    for term in data["q"].lower().split()[:8]:
        qs = qs.filter(search_text__contains=term)
    if data["provider"]:
        qs = qs.filter(provider__in=data["provider"])
    if data["account"]:
        qs = qs.filter(account_id__in=data["account"])
    for axis, column in (("completed", "completed_at"), ("created", "created_at")):
        start, end = _date_range(data, axis, now, tz)
        if start:
            qs = qs.filter(**{f"{column}__gte": start})
        if end:
            qs = qs.filter(**{f"{column}__lt": end})
    if data["sender"]:
        qs = qs.filter(pk__in=_party_docs(data["sender"], DocumentParty.Role.SENDER))
    if data["signer"]:
        qs = qs.filter(pk__in=_party_docs(data["signer"], DocumentParty.Role.SIGNER))
    if data["person"]:
        qs = qs.filter(pk__in=_party_docs(data["person"]))
    for n, label in enumerate(data["label"]):
        qs = _has_label(qs, label, n)
    if data["view"] == "attention":
        qs = qs.filter(attention_q(now))
    return qs


@dataclass
class Counts:
    total: int
    total_capped: bool
    by_status: dict[str, int]
    capped_statuses: set[str]
    approximate_total: int | None = None  # a planner estimate when the count was capped
    approximate: bool = False  # chip counts are planner estimates (PostgreSQL, big results)


def _capped_sql(qs: QuerySet, cap: int) -> tuple[str, list]:
    sql, params = qs.order_by().values("id")[: cap + 1].query.sql_with_params()
    return sql, list(params)


def _run_counts(parts: dict[str, QuerySet], cap: int) -> dict[str, int]:
    """Several capped counts in one round trip."""
    selects, params = [], []
    for i, qs in enumerate(parts.values()):
        sql, p = _capped_sql(qs, cap)
        selects.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped_{i})")
        params += p
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        values = cursor.fetchone()
    return dict(zip(parts, values, strict=True))


def count_documents(base: QuerySet, statuses: list[str], cap: int = COUNT_CAP) -> Counts:
    """The total and per-status chip counts; never counts a million rows.

    First a capped count of the filtered set (reads at most cap+1 rows). When it is small,
    one GROUP BY gives exact per-status counts. When it is large:
    - PostgreSQL: the planner's per-status estimates (no rows read), shown as "≈ n".
      Counting each status up to the cap would read up to 80,000 rows, too slow for a
      filter no index covers.
    - SQLite (no estimates): each status counted up to the cap in one query, "10,000+".
    """
    base_total = _run_counts({"all": base}, cap)["all"]
    capped: set[str] = set()
    approximate = False
    if base_total <= cap:
        grouped = dict(
            base.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")
        )
        by_status = {s: grouped.get(s, 0) for s in DocumentStatus.values}
    elif connection.vendor == "postgresql":
        by_status = {s: estimate_rows(base.filter(status=s)) or 0 for s in DocumentStatus.values}
        capped = set(DocumentStatus.values)
        approximate = True
    else:
        raw = _run_counts({s: base.filter(status=s) for s in DocumentStatus.values}, cap)
        by_status = {s: min(n, cap) for s, n in raw.items()}
        capped = {s for s, n in raw.items() if n > cap}
    if statuses:
        total = sum(by_status[s] for s in statuses)
        total_capped = any(s in capped for s in statuses)
    else:
        total, total_capped = min(base_total, cap), base_total > cap
    return Counts(total, total_capped, by_status, capped, approximate=approximate)


COUNTS_CACHE_SECONDS = 30


def counts_cache_key(data: dict, accounts: list, user, tz) -> str:
    """Counts depend on the filters (not sort, page or page size) and on what the user sees."""
    relevant = {k: v for k, v in data.items() if k not in ("sort", "per_page", "after", "before")}
    scope = "all" if user.is_superuser else sorted(a.pk for a in accounts)
    digest = hashlib.sha256(repr((sorted(relevant.items()), scope, str(tz))).encode())
    return f"dashboard:counts:{digest.hexdigest()}"


def cached_counts(key: str, base: QuerySet, statuses: list[str]) -> Counts:
    """Paging and sorting reuse the counts of the first page for a short while."""
    counts = cache.get(key)
    if counts is None:
        counts = count_documents(base, statuses)
        cache.set(key, counts, COUNTS_CACHE_SECONDS)
    return counts


def estimate_rows(qs: QuerySet) -> int | None:
    """PostgreSQL's planner estimate for a query ("about 1.2 million"); None elsewhere."""
    if connection.vendor != "postgresql":
        return None
    sql, params = qs.order_by().values("id").query.sql_with_params()
    try:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
    except Exception:  # an estimate is a nicety; never fail the page for it
        return None
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])
