"""How urgent a document is for a reviewer: the key needs-attention is sorted by.

Two columns the database computes itself (`GeneratedField`, stored): `attention_rank`, the
group, and `attention_at`, the time that orders a group. Why generated columns rather than
values written by signhub or an annotation:

- Written by the database on every write, whatever the path: the PostgreSQL COPY → stage
  → `INSERT … SELECT … ON CONFLICT` upsert and SQLite's `executemany` upsert
  (`signhub.core.dialects`), a webhook refresh, `remap_documents`' `update()`, an admin
  save, a raw UPDATE. No write path can forget it and adding the column fills every row.
- Stored and indexed, so the keyset pager walks it like any column: page 40 costs what
  page 1 costs, in one query on both databases. An annotation (a CASE in the query) would
  have to match an expression index exactly, which SQLite does not do with bound values.
- It cannot know "now", and need not: needs-attention admits an in-progress document only
  once its expiry has passed (`signhub.dashboard.queries.attention_q`), so within the view
  rank OVERDUE *is* overdue. Expiring-soon documents (same rank, expiry ahead) are shown
  apart, above the list (`signhub.dashboard.attention.expiring_soon`).

Ranks, most urgent highest (the list walks them descending, like its dates):

- OVERDUE: still in progress past its expiry. It can still be saved (a reminder, a new
  deadline), and the longer it waits the likelier the signer walks away.
- FAILED: the provider could not finish it; nobody but us will notice (the signer thinks
  they are done), and it is usually fixed by sending it again.
- DECLINED: a person said no; the sender has to talk to them, but they know.
- EXPIRED: over; only a new envelope helps, with no one waiting on it.

Within a group the most recent first (`attention_at` descending): the overdue ones by
expiry, so the one that lapsed yesterday (still worth a reminder) comes before one
abandoned months ago (overdue documents are not limited to the last 30 days as the others
are, so oldest-first would bury the fresh ones under years of leftovers); the ended ones
by when they ended (the provider's end time, else the last activity), the time the Why
column shows.
"""

from __future__ import annotations

from django.db.models import Case, F, Q, Value, When
from django.db.models.fields import DateTimeField, SmallIntegerField
from django.db.models.functions import Coalesce

from .status import DocumentStatus

OVERDUE, FAILED, DECLINED, EXPIRED, NONE = 4, 3, 2, 1, 0

RANK_EXPRESSION = Case(
    When(Q(status=DocumentStatus.IN_PROGRESS, expires_at__isnull=False), then=Value(OVERDUE)),
    When(status=DocumentStatus.FAILED, then=Value(FAILED)),
    When(status=DocumentStatus.DECLINED, then=Value(DECLINED)),
    When(status=DocumentStatus.EXPIRED, then=Value(EXPIRED)),
    default=Value(NONE),
    output_field=SmallIntegerField(),
)

# Never NULL (first_seen_at is always set): the pager walks it as one segment.
_ENDED = ("ended_at", "last_activity_at", "created_at", "first_seen_at")
AT_EXPRESSION = Case(
    When(Q(status=DocumentStatus.IN_PROGRESS, expires_at__isnull=False), then=F("expires_at")),
    When(
        status=DocumentStatus.EXPIRED,
        then=Coalesce("ended_at", "expires_at", *_ENDED[1:], output_field=DateTimeField()),
    ),
    default=Coalesce(*_ENDED, output_field=DateTimeField()),
    output_field=DateTimeField(),
)


def ceiling(now):
    """The highest key a needs-attention row has at `now`: (OVERDUE, now). An in-progress
    document is admitted only once past its expiry, so the ones expiring later, which share
    rank OVERDUE but sit above every overdue one in the index, are below no page: the walk
    starts under them (4,068 on the 1M bench: 9 ms -> 0.1 ms)."""
    return (OVERDUE, now)
