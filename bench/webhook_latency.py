"""From a change at the provider to the change visible in `export_documents`, via webhooks.

    .venv/bin/python bench/webhook_latency.py                      # runserver, 40 events
    .venv/bin/python bench/webhook_latency.py --server gunicorn --events 60
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/signhub_bench .venv/bin/python bench/webhook_latency.py

A loopback fake Box (threading http.server in this process) holds 300 sign requests and
counts every call. signhub runs as it does in production: `runserver` (or gunicorn) for the
receiver and `manage.py db_worker` with the default database task backend for the
refreshes. For each event the fake changes one in-progress request to `signed`, then sends
the delivery Box would send (BOX-SIGNATURE-PRIMARY over body + timestamp); the clock stops
when `export_documents` (called in this process, same code as the command) shows the
request completed. Then a burst: 200 deliveries for 20 requests sent at once, to count the
provider calls a burst costs. Not a timed test: numbers go to the README.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_TMP = tempfile.mkdtemp(prefix="signhub-bench-webhooks-")
KEY = "bench-primary-key"
ENV = {
    "DJANGO_SETTINGS_MODULE": "signhub.settings",
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-not-secret-" + "x" * 40,
    "SIGNHUB_ENCRYPTION_KEYS": "",  # filled below: one key for every process
    "SIGNHUB_DATA_DIR": _TMP,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "LOG_LEVEL": "WARNING",
    "AXES_ENABLED": "false",
    "SIGNHUB_SANDBOX_ENABLED": "false",
}


class FakeBox:
    """Box's token, listing and single sign request endpoints over 300 requests."""

    def __init__(self, port: int) -> None:
        from signhub.connectors.box.sandbox import _request

        self.rows = {r["id"]: r for r in (_request(i) for i in range(300))}
        for row in self.rows.values():
            row["collaborator_level"] = "owner"
        self.calls: list[str] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fake.count(f"POST {self.path}")
                self._send(200, {"access_token": "bench-token", "expires_in": 3600})

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                fake.count(f"GET {path}")
                if path == "/2.0/sign_requests":
                    with fake.lock:
                        entries = list(fake.rows.values())
                    self._send(200, {"entries": entries, "next_marker": None, "limit": 1000})
                elif path.startswith("/2.0/sign_requests/"):
                    row = fake.rows.get(path.rsplit("/", 1)[1])
                    self._send(200, row) if row else self._send(404, {"type": "error"})
                else:
                    self._send(404, {"type": "error"})

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{port}"

    def count(self, call: str) -> None:
        with self.lock:
            self.calls.append(call)

    def sign(self, request_id: str) -> None:
        with self.lock:
            self.rows[request_id] = {
                **self.rows[request_id],
                "status": "signed",
                "finished_at": "2026-12-01T12:00:00.000Z",
            }


def completed(account_name: str) -> set[str]:
    from django.core.management import call_command
    from django.db import connection

    out = io.StringIO()
    call_command("export_documents", format="jsonl", account=[account_name], stdout=out)
    connection.close()  # as a fresh `manage.py export_documents` would: no old snapshot
    rows = (json.loads(line) for line in out.getvalue().splitlines() if line)
    return {r["external_id"] for r in rows if r["status"] == "completed"}


def wait_visible(account_name: str, ids: set[str], timeout: float = 60.0) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if ids <= completed(account_name):
            return time.monotonic()
        time.sleep(0.05)
    raise SystemExit(f"not visible after {timeout} s: {sorted(ids)[:3]}")


def deliver(url: str, request_id: str) -> None:
    import requests

    from signhub.connectors.box.sandbox import webhook_delivery

    body, headers = webhook_delivery("SIGN_REQUEST.COMPLETED", request_id, primary_key=KEY)
    answer = requests.post(url, data=body, headers=headers, timeout=10)
    if answer.status_code != 200:
        raise SystemExit(f"delivery refused: {answer.status_code} {answer.text}")


def start(cmd: list[str], env: dict, name: str) -> subprocess.Popen:
    log = open(Path(_TMP) / f"{name}.log", "w")  # noqa: SIM115  (closed with the process)
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--server", choices=["runserver", "gunicorn"], default="runserver")
    parser.add_argument("--port", type=int, default=18401)
    parser.add_argument("--provider-port", type=int, default=18402)
    parser.add_argument("--worker-interval", type=float, default=1.0, help="db_worker --interval")
    args = parser.parse_args()

    from cryptography.fernet import Fernet

    ENV["SIGNHUB_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    os.environ.update(ENV)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{_TMP}/bench.sqlite3")
    import django

    django.setup()
    from django.core.management import call_command

    from signhub.core.accounts import AccountInput, create_account
    from signhub.core.models import ProviderAccount
    from signhub.core.sync import sync_account

    call_command("migrate", verbosity=0)
    fake = FakeBox(args.provider_port)
    ProviderAccount.objects.filter(name="bench-box").delete()
    account = create_account(
        AccountInput(
            provider="box",
            name="bench-box",
            base_url=fake.url,
            credentials={
                "client_id": "bench",
                "client_secret": "bench",
                "subject_type": "enterprise",
                "subject_id": "1",
                "webhook_primary_key": KEY,
            },
            options={"include_shared": False, "token_url": f"{fake.url}/oauth2/token"},
        )
    )
    sync_account(account, full=True)
    pending = sorted(set(fake.rows) - completed(account.name))
    events = min(args.events, len(pending) - 20)

    env = {**os.environ}
    python = sys.executable
    if args.server == "gunicorn":
        server = [str(Path(python).parent / "gunicorn"), "signhub.wsgi", "-w", "2"]
        server += ["-b", f"127.0.0.1:{args.port}"]
    else:
        server = [python, "manage.py", "runserver", f"127.0.0.1:{args.port}", "--noreload"]
    worker = [python, "manage.py", "db_worker", "--interval", str(args.worker_interval)]
    procs = [start(server, env, "server"), start(worker, env, "worker")]
    print(f"logs: {_TMP}/server.log, {_TMP}/worker.log")
    try:
        import requests

        for _ in range(100):
            try:
                requests.get(f"http://127.0.0.1:{args.port}/healthz", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.2)
        url = f"http://127.0.0.1:{args.port}/webhooks/{account.endpoint_key}/"
        time.sleep(1.5)  # the worker's startup
        fake.calls.clear()
        latencies = []
        for request_id in pending[:events]:
            fake.sign(request_id)
            changed = time.monotonic()
            deliver(url, request_id)
            latencies.append(wait_visible(account.name, {request_id}) - changed)
            time.sleep(0.3)
        single_calls = len(fake.calls)

        burst_ids = pending[events : events + 20]
        fake.calls.clear()
        changed = time.monotonic()
        for request_id in burst_ids:
            fake.sign(request_id)
        for n in range(200):
            deliver(url, burst_ids[n % len(burst_ids)])
        burst_seconds = wait_visible(account.name, set(burst_ids)) - changed
        time.sleep(3)  # let any trailing refresh finish before counting
        burst_calls = len(fake.calls)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=10)

    latencies.sort()
    p95 = latencies[max(0, int(round(0.95 * len(latencies))) - 1)]
    db = "PostgreSQL" if "postgres" in os.environ["DATABASE_URL"] else "SQLite"
    print(f"{args.server} + db_worker (--interval {args.worker_interval}), {db}, {events} events")
    print(
        f"change -> visible in export_documents: p50 {statistics.median(latencies):.2f} s, "
        f"p95 {p95:.2f} s, max {latencies[-1]:.2f} s"
    )
    print(f"provider calls per event: {single_calls / events:.2f} ({single_calls} calls)")
    print(
        f"burst of 200 deliveries for 20 requests: {burst_calls} provider calls, all visible "
        f"after {burst_seconds:.2f} s"
    )


if __name__ == "__main__":
    main()
