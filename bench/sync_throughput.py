"""Ingest throughput of the real sync path, from a zero-latency loopback fake provider.

    .venv/bin/python bench/sync_throughput.py                 # 10k and 100k documents
    .venv/bin/python bench/sync_throughput.py --count 100000  # one run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/signhub_bench .venv/bin/python bench/sync_throughput.py

A separate process serves pages of 1,000 documents over HTTP (rendered before it starts
listening, up to 200,000 documents); this
process syncs them through HttpClient → connector → IndexWriter → the database, exactly
as `manage.py sync` does. Reported: documents/s for a first (inserting) sync and a second
(unchanged) sync, and the peak RSS of the syncing process, which should stay flat as the
document count grows. Each count runs in a fresh process and a fresh database.

Next to each figure, in the same run, the floor: the same rows loaded by the fastest plain
path of the database, with every index present (see `floor()`), and the ratio
floor time / signhub time (1.0 = as fast as the database allows), in wall time and in CPU
time (this process, all threads, plus its PostgreSQL backend: steadier on a shared machine).
`--repeat N` measures N times, signhub and floor interleaved, and keeps the best of each.
`--profile FILE` also writes a cProfile of the real syncs (`python -m pstats FILE.<count>`).
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing import Process
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PAGE = 1000


def item(i: int) -> dict:
    """Document i as the fake provider lists it."""
    return {
        "id": i,
        "title": f"Employment contract #{i}",
        "status": "completed",
        "sender": {"name": "HR", "email": "hr@example.com"},
        "signers": [{"email": f"employee{i}@example.com", "name": f"Employee {i}"}],
        "created": "2026-01-02T03:04:05Z",
        "completed": "2026-01-03T03:04:05Z",
        "labels": ["contracts", "2026"],
    }


PRERENDER_UP_TO = 200_000  # documents whose pages the fake provider renders before serving


def serve(port: int, count: int) -> None:
    """Fake provider: GET /docs?page=N → {"items": [...], "next": N+1|null}.

    Up to PRERENDER_UP_TO documents, every page is rendered before the port opens, so the
    provider answers from memory (zero latency, no CPU taken from the sync on this
    2-core machine); beyond that pages are rendered per request."""

    def render(page: int) -> bytes:
        start = (page - 1) * PAGE
        items = [item(i) for i in range(start, min(start + PAGE, count))]
        next_page = page + 1 if start + PAGE < count else None
        return json.dumps({"items": items, "next": next_page}).encode()

    pages = -(-count // PAGE)
    rendered = {n: render(n) for n in range(1, pages + 1)} if count <= PRERENDER_UP_TO else {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            page = int(parse_qs(urlsplit(self.path).query).get("page", ["1"])[0])
            data = rendered.get(page) or render(page)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _bench_connector(count: int):
    from signhub.core.connector import Connector, DocumentRecord, Page, SignerRecord
    from signhub.core.dates import to_utc
    from signhub.core.forms import ProviderForm
    from signhub.core.registry import registry

    @registry.register
    class BenchConnector(Connector):
        provider = "bench"
        label = "Bench"
        default_base_url = "http://127.0.0.1"
        credential_form = ProviderForm

        def iter_pages(self, ctx):
            page = 1
            while page:
                data = self.http.request_json("GET", f"{self.base_url}/docs", params={"page": page})
                yield Page([self.record(item) for item in data["items"]], expected_total=count)
                page = data["next"]

        @staticmethod
        def record(item: dict) -> DocumentRecord:
            return DocumentRecord(
                external_id=str(item["id"]),
                title=item["title"],
                status="completed",
                provider_status=item["status"],
                sender_name=item["sender"]["name"],
                sender_email=item["sender"]["email"],
                signers=[SignerRecord(email=s["email"], name=s["name"]) for s in item["signers"]],
                labels=item["labels"],
                created_at=to_utc(item["created"]),
                completed_at=to_utc(item["completed"]),
                raw=item,
            )

    return BenchConnector


class Clock:
    """Wall time and CPU time (this process, all threads, plus the PostgreSQL backend that
    serves its connection): on a shared machine CPU seconds are the steadier measure."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def __enter__(self) -> Clock:
        self._wall, self._cpu = time.perf_counter(), cpu_now()
        return self

    def __exit__(self, *exc) -> None:
        self.wall += time.perf_counter() - self._wall
        self.cpu += cpu_now() - self._cpu


def cpu_now() -> float:
    from django.db import connection

    seconds = time.process_time()
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        pid = connection.connection.info.backend_pid
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        seconds += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


def empty_index() -> None:
    """A fresh document table (and party table) for the next measurement."""
    from django.db import connection

    from signhub.core.models import DocumentParty, SignedDocument, SyncSighting

    with connection.cursor() as cursor:
        tables = [m._meta.db_table for m in (SyncSighting, DocumentParty, SignedDocument)]
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE core_signeddocument")


def floor(account, count: int, connector) -> dict:
    """The same rows loaded the fastest plain way this database allows, all indexes in place.

    Rows are built outside the clock (the same stored form the real path makes); only the
    database work is timed. PostgreSQL, per page of 1,000: COPY into a temporary stage,
    one `INSERT ... SELECT ... ON CONFLICT DO UPDATE ... RETURNING`, parties by COPY; the
    re-load: COPY → stage → one `INSERT ... ON CONFLICT DO UPDATE SET last_seen_at`.
    SQLite: `executemany` of the documents' upsert, their ids, `executemany` of the
    parties; the re-load: `executemany` of the upsert updating only last_seen_at.
    One transaction per page.
    """
    from datetime import UTC, datetime

    from django.db import connection, transaction

    from signhub.core import index
    from signhub.core.dialects import STAGE_TABLE, index_pages

    pg = connection.vendor == "postgresql"
    pages = index_pages(connection)
    table = "core_signeddocument"
    cols = ", ".join(index.DOC_COLUMNS)
    update_all = [c for c in index.DOC_COLUMNS if c not in ("account_id", "external_id")]

    def page_rows(start: int, seen_at) -> tuple[list, list]:
        rows, parties = [], []
        for i in range(start, min(start + PAGE, count)):
            record = connector.record(item(i))
            prepared = index.prepare(record, record.external_id)
            row = [*prepared.row(account), seen_at, seen_at, None]
            if not pg:
                row = [index._to_sqlite(v) if isinstance(v, datetime) else v for v in row]
            rows.append(row)
            parties.append(prepared.parties())
        return rows, parties

    def load(seen_at, *, reload: bool) -> Clock:
        clock = Clock()
        for start in range(0, count, PAGE):
            rows, parties = page_rows(start, seen_at)
            with clock, transaction.atomic(), connection.cursor() as cursor:
                if pg:
                    cursor.execute(
                        f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE_TABLE} "
                        f"ON COMMIT DELETE ROWS AS SELECT {cols} FROM {table} WITH NO DATA"
                    )
                if reload and pg:
                    pages.copy_rows(cursor, STAGE_TABLE, index.DOC_COLUMNS, rows)
                    cursor.execute(
                        f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {STAGE_TABLE} "
                        "ON CONFLICT (account_id, external_id) "
                        "DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at"
                    )
                elif reload:
                    cursor.executemany(
                        f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(rows[0]))}) "
                        "ON CONFLICT (account_id, external_id) "
                        "DO UPDATE SET last_seen_at = excluded.last_seen_at",
                        rows,
                    )
                else:
                    ids = pages.upsert_documents(
                        table,
                        index.DOC_COLUMNS,
                        ["account_id", "external_id"],
                        update_all,
                        rows,
                        index.DOC_COLUMNS.index("external_id"),
                        account.pk,
                    )
                    party_rows = [
                        (ids[row[2]], *party)
                        for row, doc_parties in zip(rows, parties, strict=True)
                        for party in doc_parties
                    ]
                    pages.insert_rows("core_documentparty", index.PARTY_COLUMNS, party_rows)
        return clock

    first = load(datetime.now(UTC), reload=False)
    return {"first": first, "second": load(datetime.now(UTC), reload=True)}


def one_run(count: int, port: int, profile: str | None = None, repeat: int = 1) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "signhub.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    tmp = tempfile.mkdtemp(prefix="signhub-bench-")
    atexit.register(shutil.rmtree, tmp, True)  # its SQLite database: 200+ MB at 100k
    os.environ.setdefault("SIGNHUB_DATA_DIR", tmp)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from signhub.core.models import ProviderAccount
    from signhub.core.sync import sync_account

    connector = _bench_connector(count)
    call_command("migrate", verbosity=0)
    # A re-used PostgreSQL database: its documents go first (TRUNCATE), or the ORM's delete
    # would load them all and the peak RSS would measure that instead of the sync.
    empty_index()
    ProviderAccount.objects.filter(provider="bench").delete()
    account = ProviderAccount.objects.create(
        name="bench", provider="bench", base_url=f"http://127.0.0.1:{port}"
    )
    results = {"count": count, "database": connection.vendor}
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    best: dict[str, float] = {}
    for _ in range(repeat):  # interleaved: signhub, then the floor, best of each
        empty_index()
        clocks = {}
        for label in ("first", "second"):
            if profiler:
                profiler.enable()
            with Clock() as clocks[label]:
                run = sync_account(account, full=True)
            if profiler:
                profiler.disable()
            assert run.state == "succeeded", run.error_message
            assert run.fetched == count, (run.fetched, count)
        results["documents_in_index"] = account.documents.count()
        results["peak_rss_mb"] = round(peak_rss_mb(), 1)
        empty_index()
        clocks.update({f"floor_{k}": v for k, v in floor(account, count, connector).items()})
        for key, clock in clocks.items():
            for kind in ("wall", "cpu"):
                value = getattr(clock, kind)
                best[f"{key}_{kind}"] = min(value, best.get(f"{key}_{kind}", value))
    if profiler:
        profiler.dump_stats(profile)
    for label in ("first", "second"):
        for key in (label, f"floor_{label}"):
            results[f"{key}_seconds"] = round(best[f"{key}_wall"], 2)
            results[f"{key}_cpu_seconds"] = round(best[f"{key}_cpu"], 2)
            results[f"{key}_docs_per_s"] = int(count / best[f"{key}_wall"])
        results[f"{label}_ratio"] = round(best[f"floor_{label}_wall"] / best[f"{label}_wall"], 2)
        results[f"{label}_cpu_ratio"] = round(best[f"floor_{label}_cpu"] / best[f"{label}_cpu"], 2)
    return results


def child(count: int, profile: str | None, repeat: int) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = Process(target=serve, args=(port, count), daemon=True)
    server.start()
    try:
        for _ in range(1200):  # the provider renders its pages first
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        print(json.dumps(one_run(count, port, profile, repeat)))
    finally:
        server.terminate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, action="append")
    parser.add_argument(
        "--profile", metavar="FILE", help="write a cProfile of the real syncs (pstats format)"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="measure N times, interleaved; report the best"
    )
    parser.add_argument("--json", action="store_true", help="also print every figure as JSON")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    counts = args.count or [10_000, 100_000]
    if args.child:
        child(counts[0], args.profile, args.repeat)
        return
    rows = []
    for count in counts:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                "--count",
                str(count),
                "--repeat",
                str(args.repeat),
            ]
            + (["--profile", f"{args.profile}.{count}"] if args.profile else []),
            capture_output=True,
            text=True,
            check=False,
            env=os.environ.copy(),
        )
        if out.returncode:
            sys.exit(f"run with {count} documents failed:\n{out.stderr[-3000:]}")
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(
        "| database | documents | first sync docs/s | floor | ratio (CPU ratio) "
        "| unchanged re-sync docs/s | floor | ratio (CPU ratio) | peak RSS MB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['database']} | {r['count']:,} "
            f"| {r['first_docs_per_s']:,} ({r['first_seconds']} s) "
            f"| {r['floor_first_docs_per_s']:,} "
            f"| **{r['first_ratio']:.2f}** ({r['first_cpu_ratio']:.2f}) "
            f"| {r['second_docs_per_s']:,} ({r['second_seconds']} s) "
            f"| {r['floor_second_docs_per_s']:,} "
            f"| **{r['second_ratio']:.2f}** ({r['second_cpu_ratio']:.2f}) "
            f"| {r['peak_rss_mb']} |"
        )
    if args.json:
        print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
