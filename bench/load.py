"""Bounded load check: the document list page under N concurrent users, against gunicorn.

    .venv/bin/python bench/load.py                       # PostgreSQL + Redis on loopback
    .venv/bin/python bench/load.py --documents 100000 --workers 4 --users 50 --seconds 20
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/signhub_load CACHE_URL=redis://127.0.0.1:6379/12 ...

What it does: creates the database if needed, migrates, seeds the index with --documents
documents through the sync engine's own IndexWriter (spread over four provider accounts;
re-used when the count already matches), collects static files, starts gunicorn with
deploy/gunicorn.conf.py and --workers web workers, logs one administrator in, then runs
--users client threads (keep-alive connections, each one request after another, waiting
--think seconds ±50% between requests; 0 = saturation) against GET /documents/ for --seconds
after a short warm-up. Prints requests/s, p50,
p95, p99 and errors. The client threads share the machine with gunicorn and the database,
so on a small machine the figures are a lower bound of what the server alone would do.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PROVIDERS = ["box", "boldsign", "jsign", "bitrix24"]
SECRET = "load-bench-only-secret-key-" + "x" * 40


def configure(database_url: str, cache_url: str) -> dict[str, str]:
    env = {
        "DJANGO_SETTINGS_MODULE": "signhub.settings",
        "DATABASE_URL": database_url,
        "CACHE_URL": cache_url,
        "SECRET_KEY": os.environ.get("SECRET_KEY", SECRET),
        "LOG_LEVEL": "WARNING",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "AXES_ENABLED": "0",
        "GUNICORN_ACCESSLOG": "",
    }
    os.environ.update(env)
    return env


def ensure_database(database_url: str) -> None:
    """CREATE DATABASE for a PostgreSQL URL when it does not exist yet."""
    if not database_url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg

    base, name = database_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def seed(count: int) -> None:
    from signhub.core.connector import DocumentRecord, SignerRecord
    from signhub.core.index import IndexWriter
    from signhub.core.models import ProviderAccount, SignedDocument
    from signhub.core.registry import registry

    if SignedDocument.objects.count() == count:
        print(f"index already holds {count:,} documents: re-used", flush=True)
        return
    SignedDocument.objects.all().delete()
    statuses = ["completed"] * 6 + ["in_progress"] * 2 + ["declined", "expired"]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    per_account = -(-count // len(PROVIDERS))
    done = 0
    began = time.perf_counter()
    for provider in PROVIDERS:
        account, _ = ProviderAccount.objects.get_or_create(
            name=f"load-{provider}",
            defaults={"provider": provider, "base_url": registry.get(provider).default_base_url},
        )
        account.last_success_at = datetime.now(UTC)
        account.last_full_sync_at = account.last_success_at
        account.save()
        writer = IndexWriter(account, seen_at=datetime.now(UTC))
        n = min(per_account, count - done)
        for first in range(0, n, 1000):
            records = []
            for i in range(first, min(first + 1000, n)):
                k = done + i
                created = start + timedelta(minutes=7 * k)
                status = statuses[k % len(statuses)]
                records.append(
                    DocumentRecord(
                        external_id=f"{provider}-{i}",
                        title=f"Employment contract {k} — employee {k % 5000}",
                        status=status,
                        provider_status=status,
                        sender_name="HR Team",
                        sender_email=f"hr{k % 7}@example.com",
                        signers=[
                            SignerRecord(
                                email=f"employee{k % 5000}@example.com",
                                name=f"Employee {k % 5000}",
                                status="signed",
                                order=1,
                            )
                        ],
                        labels=["contracts", str(created.year)],
                        created_at=created,
                        sent_at=created,
                        completed_at=created + timedelta(hours=5)
                        if status == "completed"
                        else None,
                        last_activity_at=created + timedelta(hours=5),
                        raw={"id": k},
                    )
                )
            writer.write(records)
        done += n
        print(f"seeded {done:,} documents ({time.perf_counter() - began:.0f} s)", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(port: int, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit("gunicorn did not become ready")


def hammer(
    port: int, path: str, cookie: str, users: int, warmup: float, seconds: float, think: float
):
    """`users` threads, each a keep-alive connection; `think` s (±50%) between requests."""
    latencies: list[list[float]] = [[] for _ in range(users)]
    errors = [0] * users
    measuring = threading.Event()
    stop = threading.Event()

    def user(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": cookie, "Host": "127.0.0.1"}
        while not stop.is_set():
            t0 = time.perf_counter()
            ok = False
            for attempt in (1, 2):
                try:
                    conn.request("GET", path, headers=headers)
                    response = conn.getresponse()
                    body = response.read()
                    # A full HTML page (not cut short), or any 200 for JSON paths.
                    html = body.lstrip()[:1] == b"<"
                    ok = response.status == 200 and (b"</html>" in body or not html)
                    break
                except (OSError, http.client.HTTPException):
                    # gunicorn closes keep-alive connections idle longer than its keepalive
                    # setting: reconnect and retry once (like a browser), else an error.
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    if attempt == 1:
                        t0 = time.perf_counter()
            elapsed = time.perf_counter() - t0
            if measuring.is_set() and not stop.is_set():
                if ok:
                    latencies[n].append(elapsed)
                else:
                    errors[n] += 1
            if think:
                stop.wait(think * random.uniform(0.5, 1.5))
        conn.close()

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    for t in threads:
        t.start()
    time.sleep(warmup)
    measuring.set()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    wall = time.perf_counter() - began
    for t in threads:
        t.join(timeout=35)
    flat = sorted(x for per in latencies for x in per)
    return flat, sum(errors), wall


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/signhub_load"),
    )
    parser.add_argument(
        "--cache-url", default=os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/12")
    )
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn web workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per web worker")
    parser.add_argument("--users", type=int, default=50, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured duration")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument(
        "--think", type=float, default=0.0, help="seconds each user waits between requests"
    )
    parser.add_argument("--path", default="/documents/")
    args = parser.parse_args()

    env = configure(args.database_url, args.cache_url)
    ensure_database(args.database_url)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    seed(args.documents)
    with connection.cursor() as cursor:
        # Planner statistics and the visibility map as autovacuum would leave them on a
        # table in steady state; straight after a bulk load they are missing or stale.
        cursor.execute(
            "VACUUM ANALYZE core_signeddocument" if connection.vendor == "postgresql" else "ANALYZE"
        )
    admin, _ = get_user_model().objects.get_or_create(
        username="load-admin", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(admin)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    vendor = connection.vendor
    connection.close()

    port = free_port()
    gunicorn = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "deploy/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "signhub.wsgi",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    try:
        wait_ready(port)
        latencies, errors, wall = hammer(
            port, args.path, cookie, args.users, args.warmup, args.seconds, args.think
        )
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
    result = {
        "database": vendor,
        "documents": args.documents,
        "web_workers": args.workers,
        "threads_per_worker": args.threads,
        "users": args.users,
        "think_s": args.think,
        "seconds": round(wall, 1),
        "requests": len(latencies),
        "errors": errors,
        "requests_per_s": round(len(latencies) / wall, 1),
        "p50_ms": round(pct(latencies, 50), 1),
        "p95_ms": round(pct(latencies, 95), 1),
        "p99_ms": round(pct(latencies, 99), 1),
        "cpu_cores": os.cpu_count(),
    }
    print(json.dumps(result))
    print(
        f"| {vendor} | {args.documents:,} | {args.workers}×{args.threads} | {args.users} "
        f"| {args.think} "
        f"| {result['requests_per_s']} | {result['p50_ms']} | {result['p95_ms']} "
        f"| {result['p99_ms']} | {errors} |"
    )


if __name__ == "__main__":
    main()
