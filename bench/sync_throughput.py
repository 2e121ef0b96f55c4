"""Ingest throughput of the real sync path, from a zero-latency loopback fake provider.

    .venv/bin/python bench/sync_throughput.py                 # 10k and 100k documents
    .venv/bin/python bench/sync_throughput.py --count 100000  # one run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/signhub_bench .venv/bin/python bench/sync_throughput.py

A separate process serves pages of 1,000 documents over HTTP (generated on the fly); this
process syncs them through HttpClient → connector → IndexWriter → the database, exactly
as `manage.py sync` does. Reported: documents/s for a first (inserting) sync and a second
(unchanged) sync, and the peak RSS of the syncing process, which should stay flat as the
document count grows. Each count runs in a fresh process and a fresh database.
"""

from __future__ import annotations

import argparse
import json
import os
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


def serve(port: int, count: int) -> None:
    """Fake provider: GET /docs?page=N → {"items": [...], "next": N+1|null}."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            page = int(parse_qs(urlsplit(self.path).query).get("page", ["1"])[0])
            start = (page - 1) * PAGE
            items = [
                {
                    "id": i,
                    "title": f"Employment contract #{i}",
                    "status": "completed",
                    "sender": {"name": "HR", "email": "hr@example.com"},
                    "signers": [{"email": f"employee{i}@example.com", "name": f"Employee {i}"}],
                    "created": "2026-01-02T03:04:05Z",
                    "completed": "2026-01-03T03:04:05Z",
                    "labels": ["contracts", "2026"],
                }
                for i in range(start, min(start + PAGE, count))
            ]
            body = json.dumps({"items": items, "next": page + 1 if start + PAGE < count else None})
            data = body.encode()
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


def one_run(count: int, port: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "signhub.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    tmp = tempfile.mkdtemp(prefix="signhub-bench-")
    os.environ.setdefault("SIGNHUB_DATA_DIR", tmp)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from signhub.core.connector import Connector, DocumentRecord, Page, SignerRecord
    from signhub.core.dates import to_utc
    from signhub.core.forms import ProviderForm
    from signhub.core.models import ProviderAccount
    from signhub.core.registry import registry
    from signhub.core.sync import sync_account

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
                yield Page(
                    [
                        DocumentRecord(
                            external_id=str(item["id"]),
                            title=item["title"],
                            status="completed",
                            provider_status=item["status"],
                            sender_name=item["sender"]["name"],
                            sender_email=item["sender"]["email"],
                            signers=[
                                SignerRecord(email=s["email"], name=s["name"])
                                for s in item["signers"]
                            ],
                            labels=item["labels"],
                            created_at=to_utc(item["created"]),
                            completed_at=to_utc(item["completed"]),
                            raw=item,
                        )
                        for item in data["items"]
                    ],
                    expected_total=count,
                )
                page = data["next"]

    call_command("migrate", verbosity=0)
    ProviderAccount.objects.filter(name="bench").delete()  # a re-used PostgreSQL database
    account = ProviderAccount.objects.create(
        name="bench", provider="bench", base_url=f"http://127.0.0.1:{port}"
    )
    results = {"count": count, "database": connection.vendor}
    for label in ("first", "second"):
        started = time.perf_counter()
        run = sync_account(account, full=True)
        elapsed = time.perf_counter() - started
        assert run.state == "succeeded", run.error_message
        assert run.fetched == count, (run.fetched, count)
        results[f"{label}_seconds"] = round(elapsed, 2)
        results[f"{label}_docs_per_s"] = int(count / elapsed)
    results["documents_in_index"] = account.documents.count()
    results["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return results


def child(count: int) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = Process(target=serve, args=(port, count), daemon=True)
    server.start()
    try:
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        print(json.dumps(one_run(count, port)))
    finally:
        server.terminate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, action="append")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    counts = args.count or [10_000, 100_000]
    if args.child:
        child(counts[0])
        return
    rows = []
    for count in counts:
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--count", str(count)],
            capture_output=True,
            text=True,
            check=False,
            env=os.environ.copy(),
        )
        if out.returncode:
            sys.exit(f"run with {count} documents failed:\n{out.stderr[-3000:]}")
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print("| database | documents | first sync docs/s | unchanged re-sync docs/s | peak RSS MB |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['database']} | {r['count']:,} | {r['first_docs_per_s']:,} "
            f"({r['first_seconds']} s) | {r['second_docs_per_s']:,} ({r['second_seconds']} s) "
            f"| {r['peak_rss_mb']} |"
        )


if __name__ == "__main__":
    main()
