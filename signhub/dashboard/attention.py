"""Needs attention: why each document is there, and the documents about to expire.

The reasons come from what the index holds: the signer whose status says they declined
(and when), the expiry date, the provider's own status words for a failure. Each reason
names its group; the groups are listed in the order a reviewer should act on them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.safestring import SafeString, mark_safe

from signhub.core.status import DocumentStatus

from .markup import format_html

EXPIRING_DAYS = 7  # "expiring soon": still in progress, expiring within this many days
# A heads-up above the urgent list, not a second list: ten compact rows (~500 px) keep
# "Needs attention now" on the first screen; 25 pushed it below the fold.
EXPIRING_SHOWN = 10
# What the group's compact rows show (RowRenderer.expiring_row): the status is always "in
# progress" and nothing is completed yet, so those columns and their data stay out.
EXPIRING_FIELDS = [  # and the id, as "pk"
    "account_id",
    "provider",
    "external_id",
    "title",
    "status",
    "labels",
    "signers",
    "files",
    "expires_at",
    "removed_at",
]
_DECLINED_WORDS = ("declin", "reject", "refus")
_DASH, _NOTHING = mark_safe("—"), mark_safe("")

# Most urgent first: the order of the groups on the page and of the legend.
GROUPS = {
    "overdue": "Overdue",
    "expiring": "Expiring soon",
    "failed": "Failed",
    "declined": "Declined",
    "expired": "Expired",
}


def _decliner(doc) -> dict | None:
    for signer in doc.signers or []:
        status = str(signer.get("status") or "").lower()
        if any(word in status for word in _DECLINED_WORDS):
            return signer
    return None


def group_of(doc, now: datetime) -> str:
    if doc.status == DocumentStatus.IN_PROGRESS and doc.expires_at:
        return "overdue" if doc.expires_at < now else "expiring"
    return {
        DocumentStatus.FAILED: "failed",
        DocumentStatus.DECLINED: "declined",
        DocumentStatus.EXPIRED: "expired",
    }.get(doc.status, "")


def _shorten(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def reason_html(doc, now: datetime, time: Callable[..., str]) -> SafeString:
    """The "Why" cell: what happened, who, when, in words (provider values escaped by
    format_html; `time` gives safe markup).

    The provider's end (ended_at, ended_by, end_reason) when the connector reported one;
    otherwise the signer whose status says they declined, the expiry date, the status words.
    """
    group = group_of(doc, now)
    if not group:
        return _DASH
    label = format_html('<strong class="why-{}">{}</strong>', group, GROUPS.get(group, ""))
    if group == "overdue":
        # Still in progress at the provider, past its expiry date ("4 days ago" below it).
        return format_html("{} since {}", label, time(doc.expires_at))
    if group == "expiring":  # reads no more than EXPIRING_FIELDS
        return format_html("{}: expires {}", label, time(doc.expires_at))
    ended_at, ended_by = doc.ended_at, doc.ended_by
    end_reason = (doc.end_reason or "").strip()
    if group == "declined":
        signer = _decliner(doc)
        who = ended_by or ((signer.get("name") or signer.get("email") or "") if signer else "")
        decided = (signer or {}).get("decided_at")
        when = ended_at or (parse_datetime(decided) if isinstance(decided, str) else decided)
        when = when or doc.last_activity_at
        text = format_html(" by {}", who) if who else _NOTHING
        if end_reason:
            text = format_html("{}: “{}”", text, _shorten(end_reason))
        elif doc.provider_status:
            text = format_html('{} <span class="muted">(“{}”)</span>', text, doc.provider_status)
        return format_html("{}{}<br>{}", label, text, time(when)) if when else label + text
    if group == "expired":
        when = ended_at or doc.expires_at or doc.last_activity_at
        return format_html("{} on {}", label, time(when)) if when else label
    if group == "failed":
        words = _shorten(end_reason or doc.provider_status or "no reason given")
        when = ended_at or doc.last_activity_at
        if when:
            return format_html("{}: “{}”<br>{}", label, words, time(when))
        return format_html("{}: “{}”", label, words)
    return _DASH


def expiring(base: QuerySet, now: datetime) -> QuerySet:
    """In-progress documents of `base` expiring in the next EXPIRING_DAYS days, soonest
    first: a range of the partial index doc_expiring_idx, whatever the table's size."""
    return base.filter(
        status=DocumentStatus.IN_PROGRESS,
        expires_at__gte=now,
        expires_at__lt=now + timedelta(days=EXPIRING_DAYS),
    ).order_by("expires_at", "id")


def expiring_soon(base: QuerySet, now: datetime) -> tuple[list, bool]:
    """The first EXPIRING_SHOWN expiring documents (one query), and whether there are more.

    Named rows of EXPIRING_FIELDS, not models: they are only shown, and a field the rows do
    not load fails loudly instead of costing a query per row as a deferred field would.
    """
    named = expiring(base, now).values_list("pk", *EXPIRING_FIELDS, named=True)
    rows = list(named[: EXPIRING_SHOWN + 1])
    return rows[:EXPIRING_SHOWN], len(rows) > EXPIRING_SHOWN
