"""Server time of the documents list vs. the Django admin changelist, on a large index.

    .venv/bin/python bench/list_latency.py                      # 1,000,000 docs, SQLite
    .venv/bin/python bench/list_latency.py --count 200000
    .venv/bin/python bench/list_latency.py --per-page 25 --no-admin   # the default page size
    .venv/bin/python bench/list_latency.py --htmx --no-admin          # HTMX swaps, not full pages
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/signhub_bench_list \
        .venv/bin/python bench/list_latency.py

Seeds N documents (and their party rows) once into the configured database (SQLite by
default: data/bench-list.sqlite3, never the development database; re-runs with the same
count reuse the data), then measures p50/p95 of the server time of in-process requests
(Django test Client, superuser, 100 rows per page unless --per-page) for page 1 and a deep page (the middle
of the result), unfiltered and with each filter, next to the admin changelist of
SignedDocument with the same filter where the admin has one. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "signhub.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'data' / 'bench-list.sqlite3'}")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

PER_PAGE = 100  # the admin's list_per_page; --per-page 25 measures the dashboard's default
PROVIDERS = ["box", "boldsign", "jsign", "bitrix24"]
STATUSES = [  # (status, weight) — most HR documents end up completed
    ("completed", 70),
    ("in_progress", 15),
    ("declined", 5),
    ("expired", 4),
    ("cancelled", 3),
    ("draft", 2),
    ("failed", 0.5),
    ("unknown", 0.5),
]
WORDS = [
    "employment",
    "contract",
    "offer",
    "letter",
    "policy",
    "handbook",
    "nda",
    "amendment",
    "bonus",
    "relocation",
    "termination",
    "reference",
    "training",
    "consent",
    "timesheet",
    "pension",
    "equipment",
    "remote",
]
FIRST = [
    "maria",
    "peter",
    "anna",
    "john",
    "lena",
    "omar",
    "yuki",
    "carlos",
    "fatima",
    "ivan",
    "sara",
    "li",
]
LAST = [
    "lopez",
    "smith",
    "novak",
    "garcia",
    "chen",
    "muller",
    "rossi",
    "kowalski",
    "tanaka",
    "silva",
]
LABELS = ["contracts", "hr", "payroll", "legal", "onboarding", "offboarding", "benefits"]


def setup_django() -> None:
    import django
    from django.conf import settings

    django.setup()
    # No collectstatic for a bench: plain static storage instead of the manifest one.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(count: int, batch: int = 20_000) -> None:
    """Deterministic documents spread over the last three years, 1–3 signers each."""
    from django.db import connection, transaction

    from signhub.core.models import DocumentParty, ProviderAccount, SignedDocument

    have = SignedDocument.objects.filter(account__name__startswith="bench-").count()
    if have == count:
        print(f"reusing {have:,} seeded documents", file=sys.stderr)
        return
    SignedDocument.objects.filter(account__name__startswith="bench-").delete()
    accounts = [
        ProviderAccount.objects.update_or_create(
            name=f"bench-{p}", defaults={"provider": p, "base_url": "https://example.com"}
        )[0]
        for p in PROVIDERS
    ]
    rng = random.Random(42)
    now = datetime.now(UTC)
    statuses, weights = zip(*STATUSES, strict=True)
    doc_table = SignedDocument._meta.db_table
    party_table = DocumentParty._meta.db_table
    doc_cols = [
        "account_id", "provider", "external_id", "title", "status", "provider_status",
        "sender_name", "sender_email", "signers", "labels", "files", "raw", "created_at",
        "sent_at", "completed_at", "expires_at", "last_activity_at", "search_text",
        "content_hash", "first_seen_at", "last_seen_at",
    ]  # fmt: skip
    # Columns added to the model since (each with its default), and the title's sort key
    # where the model stores one: seeded rows look like indexed ones.
    defaults = {
        f.column: f.get_default()
        for f in SignedDocument._meta.concrete_fields
        if f.column not in ("id", *doc_cols) and not f.null and not f.generated
    }
    doc_cols += list(defaults)
    title_key = None
    if "title_sort" in defaults:
        from signhub.core.sort_keys import natural_key as title_key
    started = time.perf_counter()
    next_id = (SignedDocument.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    import json

    for offset in range(0, count, batch):
        docs, parties = [], []
        for i in range(offset, min(count, offset + batch)):
            account = accounts[i % len(accounts)]
            status = rng.choices(statuses, weights)[0]
            created = now - timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
            completed = created + timedelta(hours=rng.randrange(1, 400))
            completed = completed if status == "completed" and completed < now else None
            activity = completed or created + timedelta(hours=rng.randrange(0, 200))
            expires = created + timedelta(days=30)
            sender = (rng.choice(FIRST), rng.choice(LAST))
            sender_email = f"{sender[0]}.{sender[1]}@hr.example.com"
            signers = []
            for k in range(rng.randint(1, 3)):
                first, last = rng.choice(FIRST), rng.choice(LAST)
                email = f"{first}.{last}{rng.randrange(5000)}@example.com"
                decided = completed.isoformat() if completed else None
                signers.append(
                    {"email": email, "name": f"{first.title()} {last.title()}", "role": "signer",
                     "status": "signed" if completed else "sent", "order": k + 1,
                     "decided_at": decided}
                )  # fmt: skip
            title = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {signers[0]['name']} {i}"
            labels = rng.sample(LABELS, rng.randint(0, 2))
            ext = f"B{i:08d}"
            search = " ".join(
                [title, ext, " ".join(sender), sender_email]
                + [s["name"] + " " + s["email"] for s in signers]
                + labels
            ).lower()
            doc_id = next_id + i
            docs.append(
                [account.pk, account.provider, ext, title, status, status.upper(),
                 " ".join(sender).title(), sender_email, json.dumps(signers), json.dumps(labels),
                 json.dumps([{"key": "signed", "name": "doc.pdf", "kind": "signed", "handle": {}}]
                            if completed else []),
                 json.dumps({"id": ext}), created, created, completed, expires, activity, search,
                 f"{i:064d}", now, now,
                 *(title_key(title) if c == "title_sort" else v for c, v in defaults.items())]
            )  # fmt: skip
            parties.append([doc_id, "sender", sender_email, " ".join(sender), "", None])
            for s in signers:
                parties.append([doc_id, "signer", s["email"], s["name"], s["status"], completed])
        with transaction.atomic(), connection.cursor() as cursor:
            _insert(
                cursor,
                doc_table,
                ["id", *doc_cols],
                [[next_id + offset + n, *row] for n, row in enumerate(docs)],
            )
            _insert(
                cursor,
                party_table,
                ["document_id", "role", "email", "name", "status", "decided_at"],
                parties,
            )
        done = min(count, offset + batch)
        rate = done / (time.perf_counter() - started)
        print(f"\rseeded {done:,}/{count:,} ({rate:,.0f}/s)", end="", file=sys.stderr)
    print(file=sys.stderr)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{doc_table}', 'id'), "
                f"(SELECT MAX(id) FROM {doc_table}))"
            )
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")


def _insert(cursor, table: str, columns: list[str], rows: list[list]) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    cursor.executemany(sql, [[_sqlite(v) for v in row] for row in rows])


def _sqlite(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    return value


def cases(account_id: int) -> list[tuple[str, dict, dict | None]]:
    """(name, our params, admin params or None when the admin has no such filter)."""
    return [
        ("unfiltered", {}, {}),
        ("text (common word)", {"q": "contract"}, {"q": "contract"}),
        ("text (rare: one id)", {"q": "b00424242"}, {"q": "b00424242"}),
        ("provider", {"provider": "box"}, {"provider__exact": "box"}),
        ("account", {"account": str(account_id)}, {"account__id__exact": str(account_id)}),
        ("status", {"status": "declined"}, {"status__exact": "declined"}),
        ("completed: this year", {"completed": "this_year"}, None),
        ("created: last month", {"created": "last_month"}, None),
        ("sender", {"sender": "maria.lopez@hr.example.com"}, None),
        ("signer", {"signer": "maria.lopez42@example.com"}, None),
        ("label", {"label": "payroll"}, None),
        ("include removed", {"removed": "on"}, None),
        ("needs attention", {"view": "attention"}, None),  # by urgency, its default
        ("needs attention by activity", {"view": "attention", "sort": "-activity"}, None),
        ("employee view", {"person": "maria.lopez@hr.example.com"}, None),
        ("sort by title", {"sort": "title"}, None),
    ]


def deep_cursor(params: dict, user) -> tuple[str | None, int]:
    """A cursor into the middle of the result (computed once with OFFSET, not timed)."""
    from django.http import QueryDict

    from signhub.dashboard.changelist import DocumentList
    from signhub.dashboard.paging import _cursor_for
    from signhub.dashboard.sorting import sort_key

    query = QueryDict(mutable=True)
    for key, value in params.items():
        query[key] = value
    doc_list = DocumentList(query, user)
    qs, sort = doc_list.queryset, doc_list.sort
    total = qs.count()
    page = max(1, (total // 2) // PER_PAGE)
    index = (page - 1) * PER_PAGE  # the last row of the previous page
    if index == 0:
        return None, 1
    attr, nullable = sort_key(sort).column, sort_key(sort).nullable
    desc = "-" if sort.startswith("-") else ""
    if len(sort_key(sort).columns) > 1:  # urgency: rank, time (never NULL)
        from signhub.dashboard.paging import ordering

        row = qs.order_by(*ordering(sort))[index - 1]
        return _cursor_for(row, sort, index).encode(), page
    dated = qs.filter(**{f"{attr}__isnull": False}) if nullable else qs
    n_dated = dated.count() if nullable else total
    if index - 1 < n_dated:
        row = dated.order_by(f"{desc}{attr}", f"{desc}id")[index - 1]
    else:
        row = qs.filter(**{f"{attr}__isnull": True}).order_by(f"{desc}id")[index - 1 - n_dated]
    return _cursor_for(row, sort, index).encode(), page


def timed(client, url: str, params: dict, repeat: int, headers: dict | None = None) -> list[float]:
    from django.core.cache import cache

    headers = headers or {}
    client.get(url, params, headers=headers)  # warm-up (template compilation)
    times = []
    for _ in range(repeat):  # noqa: B007
        cache.clear()  # cold counts every time: the dashboard caches them for 30 s
        started = time.perf_counter()
        response = client.get(url, params, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, params, response.status_code)
    return times


def pct(times: list[float]) -> str:
    times = sorted(times)
    p50 = statistics.median(times)
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return f"{p50:.1f} / {p95:.1f}"


def main() -> None:
    global PER_PAGE
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--only", help="run only cases whose name contains this")
    parser.add_argument("--per-page", type=int, choices=[25, 50, 100], default=PER_PAGE)
    parser.add_argument("--no-admin", action="store_true", help="skip the admin changelist")
    parser.add_argument(
        "--htmx",
        action="store_true",
        help="time the dashboard's HTMX swaps (results partial) instead of full pages",
    )
    args = parser.parse_args()
    PER_PAGE = args.per_page

    setup_django()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client

    from signhub.core.models import ProviderAccount
    from signhub.ops import worker

    seed(args.count)
    user, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(user)
    account_id = ProviderAccount.objects.get(name="bench-box").pk
    # As a web worker starts (signhub.wsgi): every view imported, long-lived objects frozen
    # out of the collector's walks (without it a full collection adds ~80 ms to one request
    # in a few dozen: signhub.ops.worker).
    worker.prepare()
    vendor = connection.vendor
    print(f"\n{vendor}, {args.count:,} documents, {PER_PAGE} rows/page, {args.repeat} runs; "
          "p50 / p95 in ms\n")  # fmt: skip
    print(
        "| case | dashboard page 1 | admin page 1 | dashboard deep page | admin deep page | deep speed-up |"
    )
    print("|---|---|---|---|---|---|")
    for name, ours, admin in cases(account_id):
        if args.only and args.only not in name:
            continue
        params = {**ours, "per_page": str(PER_PAGE)}
        token, page = deep_cursor(ours, user)
        swap = {"HX-Request": "true", "HX-Target": "results"} if args.htmx else None
        ours_first = timed(client, "/documents/", params, args.repeat, swap)
        deep_params = {**params, "after": token} if token else params
        ours_deep = timed(client, "/documents/", deep_params, args.repeat, swap)
        admin_first = admin_deep = None
        if admin is not None and not args.no_admin:
            admin_url = "/admin/core/signeddocument/"
            admin_first = timed(client, admin_url, admin, args.repeat)
            admin_deep = timed(client, admin_url, {**admin, "p": str(page)}, args.repeat)
        ratio = statistics.median(admin_deep) / statistics.median(ours_deep) if admin_deep else 0
        speedup = f"{ratio:.1f}x" if 0 < ratio < 10 else f"{ratio:.0f}x" if ratio else "—"
        print(
            f"| {name} (deep = page {page:,}) | {pct(ours_first)} | "
            f"{pct(admin_first) if admin_first else 'n/a'} | {pct(ours_deep)} | "
            f"{pct(admin_deep) if admin_deep else 'n/a'} | {speedup} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
