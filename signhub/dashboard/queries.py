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
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower

from signhub.core.models import DocumentParty, SignedDocument
from signhub.core.status import DocumentStatus

from .dates import custom_range, preset_range

COUNT_CAP = 10_000  # counts stop here ("10,000+"): an exact COUNT(*) of 1M rows is slow
ATTENTION_DAYS = 30
ATTENTION_STATUSES = (DocumentStatus.DECLINED, DocumentStatus.EXPIRED, DocumentStatus.FAILED)


PARTY_ID_LIMIT = 5_000


def _party_docs(email: str, role: str) -> list[int] | QuerySet:
    """Ids of documents where `email` has `role` (read from party_email_idx alone).

    Fetched first as a plain list when there are few: with literal ids PostgreSQL fetches
    exactly those documents and sorts them, instead of walking the date index with a semi
    join (measured 20x slower on 1M documents). Thousands of documents stay a subquery.
    Senders are matched on the document's own column instead (an HR sender has many).
    """
    parties = DocumentParty.objects.filter(email=email, role=role)
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
    if data["sender"] or data["person"]:
        qs = qs.alias(sender_key=Lower("sender_email"))  # doc_sender_*_idx
    if data["sender"]:
        qs = qs.filter(sender_key=data["sender"])
    if data["signer"]:
        qs = qs.filter(pk__in=_party_docs(data["signer"], DocumentParty.Role.SIGNER))
    if data["person"]:
        signed = _party_docs(data["person"], DocumentParty.Role.SIGNER)
        qs = qs.filter(Q(sender_key=data["person"]) | Q(pk__in=signed))
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


# PostgreSQL: trust the planner's estimate instead of counting when it says the result is
# this many times the cap. A wrong guess only turns exact chips into "≈ n" ones; counting
# up to the cap instead reads 10,000 rows (30 ms where no index covers the filter).
ESTIMATE_MARGIN = 2


def _grouped_capped(base: QuerySet, cap: int) -> dict[str, int]:
    """Per-status counts of the first cap+1 matching rows, in one query reading them once."""
    sql, params = base.order_by().values("status")[: cap + 1].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status, COUNT(*) FROM ({sql}) AS capped GROUP BY status", params)
        return dict(cursor.fetchall())


def _capped_per_status(base: QuerySet, cap: int) -> dict[str, int]:
    """Each status counted up to cap+1, in one round trip (SQLite, big results)."""
    selects, params = [], []
    for status in DocumentStatus.values:
        sql, p = (
            base.filter(status=status).order_by().values("id")[: cap + 1].query.sql_with_params()
        )
        selects.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped)")
        params += p
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        return dict(zip(DocumentStatus.values, cursor.fetchone(), strict=True))


def _estimated(total: int, statuses: list[str], cap: int, possible) -> Counts:
    """PostgreSQL, big results: the planner's estimate for everything, no rows read."""
    by_status = split_estimate(total, possible)
    if statuses:
        total = sum(by_status[s] for s in statuses)
    return Counts(
        total=cap,
        total_capped=True,
        by_status=by_status,
        capped_statuses=set(DocumentStatus.values),
        approximate_total=total,
        approximate=True,
    )


def count_documents(
    base: QuerySet,
    statuses: list[str],
    cap: int = COUNT_CAP,
    possible: tuple[str, ...] | None = None,
) -> Counts:
    """The total and per-status chip counts; never counts a million rows.

    - PostgreSQL asks the planner first (no rows read). When it expects far more rows than
      the cap, every number is its estimate, shown as "about n" / "≈ n".
      `possible` narrows the statuses a filter admits (the others estimate 0).
    - Otherwise one query groups the first cap+1 matching rows by status: exact counts
      when the result is within the cap.
    - Past the cap, PostgreSQL falls back to estimates; SQLite (which has none) counts each
      status up to the cap and shows "10,000+".
    """
    estimate = estimate_rows(base)  # None on SQLite
    if estimate is not None and estimate > ESTIMATE_MARGIN * cap:
        return _estimated(estimate, statuses, cap, possible)
    grouped = _grouped_capped(base, cap)
    base_total = sum(grouped.values())
    if base_total <= cap:
        by_status = {s: grouped.get(s, 0) for s in DocumentStatus.values}
        total = sum(by_status[s] for s in statuses) if statuses else base_total
        return Counts(total, False, by_status, set())
    if estimate is not None:  # the planner expected few rows; "10,000+" or its higher guess
        return _estimated(max(estimate, cap), statuses, cap, possible)
    raw = _capped_per_status(base, cap)
    by_status = {s: min(n, cap) for s, n in raw.items()}
    capped = {s for s, n in raw.items() if n > cap}
    if statuses:
        total = sum(by_status[s] for s in statuses)
        total_capped = any(s in capped for s in statuses)
    else:
        total, total_capped = cap, True
    return Counts(total, total_capped, by_status, capped)


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


def estimate_rows(qs: QuerySet) -> int | None:
    """PostgreSQL's planner estimate for a query ("about 1.2 million"); None elsewhere."""
    if connection.vendor != "postgresql":
        return None
    sql, params = qs.order_by().values("id").query.sql_with_params()
    plan = _explain(sql, params)
    return int(plan["Plan Rows"]) if plan else None


def _explain(sql: str, params) -> dict | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
    except Exception:  # an estimate is a nicety; never fail the page for it
        return None
    if isinstance(plan, str):
        plan = json.loads(plan)
    return plan[0]["Plan"]


STATUS_SHARES_CACHE_SECONDS = 300


def status_shares() -> dict[str, float]:
    """Each status's share of all documents, from PostgreSQL's column statistics.

    The planner multiplies these same shares into its estimate of "filter AND status = x"
    (it assumes the two independent), so splitting one estimate of the filter by them gives
    the numbers eight EXPLAINs would, at the cost of one small cached query.
    """
    shares = cache.get("dashboard:status-shares")
    if shares is None:
        table = SignedDocument._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT most_common_vals::text::text[], most_common_freqs FROM pg_stats "
                "WHERE tablename = %s AND attname = 'status'",
                [table],
            )
            row = cursor.fetchone()
        shares = dict(zip(row[0], row[1], strict=True)) if row and row[0] else {}
        cache.set("dashboard:status-shares", shares, STATUS_SHARES_CACHE_SECONDS)
    return shares


def split_estimate(total: int, possible: tuple[str, ...] | None = None) -> dict[str, int]:
    """A total estimate split over the statuses by their shares (equal shares when unknown).

    `possible` are the only statuses the filter admits (the needs-attention view); the
    others get 0 rather than a share of a set they cannot be in.
    """
    candidates = list(possible or DocumentStatus.values)
    shares = status_shares()
    weights = {s: shares.get(s, 0.0) for s in candidates}
    whole = sum(weights.values())
    if not whole:
        weights, whole = dict.fromkeys(candidates, 1.0), float(len(candidates))
    return {
        s: round(total * weights[s] / whole) if s in weights else 0 for s in DocumentStatus.values
    }
