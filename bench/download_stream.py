"""Memory and throughput of the download proxy and of the evidence-pack ZIP.

    .venv/bin/python bench/download_stream.py                  # 500 MB file, 1,000-file ZIP
    .venv/bin/python bench/download_stream.py --size-mb 100 --files 200 --repeat 1

A loopback HTTP server (threading http.server, in a child process so its memory and CPU are
not ours) serves a body of N MB in 1 MiB chunks, and 1,000 small files. A bench connector
fetches them over HTTP through `HttpClient` (with the anti-SSRF check), and the real views
are driven in-process through Django's test Client, exactly as a WSGI server would iterate
the response. Peak RSS growth is read from /proc/self/status (VmHWM after resetting it via
/proc/self/clear_refs, plus a 20 ms sampler as a cross-check). The baseline is the same
file fetched directly with requests. Uses a throwaway SQLite database in a temp folder.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import socket
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_TMP = tempfile.mkdtemp(prefix="signhub-bench-dl-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "signhub.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
os.environ["SIGNHUB_DATA_DIR"] = _TMP
os.environ["DATABASE_URL"] = f"sqlite:///{_TMP}/bench.sqlite3"
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("AXES_ENABLED", "false")

MiB = 1024 * 1024
SMALL_SIZE = 24 * 1024


# -- the loopback provider -------------------------------------------------------------


def serve(port_queue, big_size: int) -> None:
    block = os.urandom(MiB)
    small = os.urandom(SMALL_SIZE)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like a real provider

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in separate writes: without NODELAY, Nagle plus the
            # client's delayed ACK adds ~40 ms per small response, which no real provider has.
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, *args) -> None:
            pass

        def handle(self) -> None:
            # The client may stop reading early (the warm-up does that on purpose).
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                super().handle()

        def do_GET(self) -> None:
            if self.path.startswith("/big"):
                self.send_response(200)
                self.send_header("Content-Type", "application/pdf")
                self.send_header("Content-Length", str(big_size))
                self.end_headers()
                left = big_size
                while left > 0:
                    n = min(left, MiB)
                    self.wfile.write(block[:n])
                    left -= n
            else:
                self.send_response(200)
                self.send_header("Content-Type", "application/pdf")
                self.send_header("Content-Length", str(SMALL_SIZE))
                self.end_headers()
                self.wfile.write(small)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_queue.put(server.server_address[1])
    server.serve_forever()


# -- memory -----------------------------------------------------------------------------


def status_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class Peak:
    """Peak RSS growth during a block: VmHWM (reset first) and a sampler as a cross-check."""

    def __enter__(self) -> Peak:
        try:
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")  # resets VmHWM to the current RSS (Linux >= 4.0)
            self.hwm_reset = True
        except OSError:
            self.hwm_reset = False
        self.start = status_kb("VmRSS")
        self.sampled = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        self.t0 = time.perf_counter()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.sampled = max(self.sampled, status_kb("VmRSS"))

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.t0
        self._stop.set()
        self._thread.join()
        peak = status_kb("VmHWM") if self.hwm_reset else self.sampled
        self.growth_mb = (max(peak, self.sampled) - self.start) / 1024


# -- the bench ----------------------------------------------------------------------------


def setup_django(port: int):
    import django

    django.setup()
    from django.core.management import call_command

    from signhub.core.connector import Connector, FileStream
    from signhub.core.http import ensure_allowed_url
    from signhub.core.registry import registry

    call_command("migrate", verbosity=0)

    class BenchConnector(Connector):
        provider = "bench"
        label = "Bench"
        default_base_url = f"http://127.0.0.1:{port}"
        credential_form = None

        def iter_pages(self, ctx):
            return iter(())

        def check_connection(self) -> str:
            return "ok"

        def open_file(self, document, file_key) -> FileStream:
            url = f"{self.base_url}/{document.files[0]['handle']['path']}"
            ensure_allowed_url(url, allowed_hosts={"127.0.0.1"}, require_https=False)
            response = self.http.request("GET", url, stream=True)
            size = response.headers.get("Content-Length")
            return FileStream(
                response.iter_content(256 * 1024),
                response.headers.get("Content-Type", "application/octet-stream"),
                "file.pdf",
                int(size) if size else None,
                response.close,
            )

    registry.register(BenchConnector)


def fetch(url: str, session_id: str, result) -> None:
    """Child process: download `url` with a session cookie; report (status, bytes)."""
    import requests

    got = 0
    with requests.get(url, cookies={"sessionid": session_id}, stream=True, timeout=60) as r:
        for chunk in r.iter_content(256 * 1024):
            got += len(chunk)
        result.put((r.status_code, got))


def start_wsgi_server():
    """Serve the Django app on a loopback port (threaded wsgiref); returns (url, stop)."""
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args) -> None:
            pass

    class Threaded(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    httpd = make_server(
        "127.0.0.1", 0, get_wsgi_application(), server_class=Threaded, handler_class=Quiet
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        httpd.shutdown()
        httpd.server_close()

    return f"http://127.0.0.1:{httpd.server_address[1]}", stop


def make_docs(account, n: int, path: str):
    from django.utils import timezone

    from signhub.core.models import SignedDocument

    now = timezone.now()
    docs = [
        SignedDocument(
            account=account,
            provider="bench",
            external_id=f"b-{path}-{i}",
            title=f"Bench contract {i}",
            status="completed",
            completed_at=now,
            content_hash="x",
            first_seen_at=now,
            last_seen_at=now,
            files=[
                {"key": "signed", "name": f"c{i}.pdf", "kind": "signed", "handle": {"path": path}}
            ],
        )
        for i in range(n)
    ]
    return SignedDocument.objects.bulk_create(docs, batch_size=500)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mb", type=int, default=500)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N (the machine is shared)")
    args = parser.parse_args()
    big_size = args.size_mb * MiB

    queue: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(queue, big_size), daemon=True)
    server.start()
    port = queue.get(timeout=10)
    try:
        run(port, big_size, args.files, args.repeat)
    finally:
        server.terminate()


def best_of(repeat: int, fn) -> tuple[float, float]:
    """(fastest seconds, largest peak RSS growth in MB) over `repeat` runs."""
    times, growths = [], []
    for _ in range(repeat):
        with Peak() as peak:
            fn()
        times.append(peak.seconds)
        growths.append(peak.growth_mb)
    return min(times), max(growths)


def run(port: int, big_size: int, files: int, repeat: int) -> None:
    setup_django(port)
    import requests
    from django.contrib.auth.models import User
    from django.test import Client
    from django.test.utils import override_settings

    from signhub.core.models import ProviderAccount

    user = User.objects.create_superuser("bench", "bench@example.com", "x")
    account = ProviderAccount.objects.create(
        name="Bench", provider="bench", base_url=f"http://127.0.0.1:{port}"
    )
    big = make_docs(account, 1, "big")[0]
    client = Client()
    client.force_login(user)

    # Warm up both paths (imports, connection pools, template caches).
    requests.get(f"http://127.0.0.1:{port}/small", timeout=10).close()
    for _ in client.get(f"/documents/{big.pk}/download/signed").streaming_content:
        break

    def direct_in_process() -> None:
        got = 0
        with requests.get(f"http://127.0.0.1:{port}/big", stream=True, timeout=60) as r:
            for chunk in r.iter_content(256 * 1024):
                got += len(chunk)
        assert got == big_size, got

    def through_view() -> None:
        response = client.get(f"/documents/{big.pk}/download/signed")
        assert response.status_code == 200, response.status_code
        got = 0
        for chunk in response.streaming_content:
            got += len(chunk)
        response.close()
        assert got == big_size, got

    # The live variant: a real WSGI server (threaded wsgiref in this process, so the proxy's
    # memory is what Peak sees) and an HTTP client in a child process, like a browser.
    live_url, stop_live = start_wsgi_server()
    session_id = client.cookies["sessionid"].value

    def in_child(url: str, cookie: str):
        def go() -> None:
            result: multiprocessing.Queue = multiprocessing.Queue()
            child = multiprocessing.Process(target=fetch, args=(url, cookie, result))
            child.start()
            status, got = result.get(timeout=600)
            child.join()
            assert (status, got) == (200, big_size), (status, got)

        return go

    live_view = in_child(f"{live_url}/documents/{big.pk}/download/signed", session_id)
    live_direct = in_child(f"http://127.0.0.1:{port}/big", "")

    results = {}
    for name, fn in [
        ("direct", direct_in_process),
        ("view", through_view),
        ("live_direct", live_direct),
        ("live", live_view),
    ]:
        results[name] = best_of(repeat, fn)
    stop_live()

    mb = big_size / MiB
    speed = {k: mb / v[0] for k, v in results.items()}
    growth = {k: v[1] for k, v in results.items()}
    print(f"Single file, {mb:.0f} MB over loopback HTTP (best of {repeat}):")
    print(
        f"  direct (requests, in process):  {speed['direct']:6.0f} MB/s  "
        f"peak RSS growth {growth['direct']:5.1f} MB"
    )
    print(
        f"  through the download view:      {speed['view']:6.0f} MB/s  "
        f"peak RSS growth {growth['view']:5.1f} MB  "
        f"({speed['view'] / speed['direct']:.0%} of direct)"
    )
    print(
        f"  direct (client process):        {speed['live_direct']:6.0f} MB/s  "
        f"peak RSS growth {growth['live_direct']:5.1f} MB"
    )
    print(
        f"  via a live WSGI server:         {speed['live']:6.0f} MB/s  "
        f"peak RSS growth {growth['live']:5.1f} MB  "
        f"({speed['live'] / speed['live_direct']:.0%} of direct)"
    )

    docs = make_docs(account, files, "small")
    ids = [d.pk for d in docs]
    out_path = Path(_TMP) / "pack.zip"
    limit = override_settings(SIGNHUB_EVIDENCE_MAX_DOCS=max(files, 500))
    with limit, Peak() as packed, open(out_path, "wb") as out:
        response = client.post("/documents/evidence-pack/", {"ids": ids})
        assert response.status_code == 200, response.status_code
        total = 0
        for chunk in response.streaming_content:
            total += len(chunk)
            out.write(chunk)
        response.close()
    import zipfile

    with zipfile.ZipFile(out_path) as archive:
        names = archive.namelist()
        manifest = archive.read("manifest.csv").decode("utf-8-sig").splitlines()
        assert archive.testzip() is None
    ok_rows = sum(1 for line in manifest[1:] if ",ok," in line)
    print(f"Evidence pack, {files} documents x {SMALL_SIZE // 1024} KB over loopback HTTP:")
    print(
        f"  {packed.seconds:6.2f} s ({files / packed.seconds:.0f} files/s), "
        f"ZIP {total / MiB:.1f} MB, {len(names)} entries, {ok_rows} ok in the manifest, "
        f"peak RSS growth {packed.growth_mb:6.1f} MB"
    )


if __name__ == "__main__":
    main()
