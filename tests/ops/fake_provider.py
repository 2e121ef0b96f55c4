"""A loopback fake provider that counts what the scale-out test must prove.

Per account (the first path segment): token refreshes, pages served, and the largest
number of page requests in flight at once (two overlapping syncs of one account would
push it above 1; every page takes a little while so overlaps cannot slip between pages).
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PAGE_SIZE = 5
PAGES = 3


class FakeProvider:
    def __init__(self, page_delay: float = 0.05) -> None:
        self.page_delay = page_delay
        self.lock = threading.Lock()
        self.access: dict[str, str] = defaultdict(lambda: "none-issued-yet")
        self.refresh_tokens: dict[str, str] = defaultdict(lambda: "r0")
        self.refreshes: dict[str, int] = defaultdict(int)
        self.rejected: dict[str, int] = defaultdict(int)
        self.pages: dict[str, int] = defaultdict(int)
        self.in_flight: dict[str, int] = defaultdict(int)
        self.max_in_flight: dict[str, int] = defaultdict(int)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):  # noqa: N802
                account = urlsplit(self.path).path.strip("/").split("/")[0]
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake.lock:
                    # Single-use refresh tokens: a second refresh with the same one fails.
                    if body.get("refresh_token") != fake.refresh_tokens[account]:
                        return self._send(400, {"error": "invalid_grant"})
                    fake.refreshes[account] += 1
                    n = fake.refreshes[account]
                    fake.access[account] = f"at-{account}-{n}"
                    fake.refresh_tokens[account] = f"r{n}"
                self._send(200, {"access_token": f"at-{account}-{n}", "refresh_token": f"r{n}"})

            def do_GET(self):  # noqa: N802
                parts = urlsplit(self.path)
                account = parts.path.strip("/").split("/")[0]
                if self.headers.get("Authorization") != f"Bearer {fake.access[account]}":
                    with fake.lock:
                        fake.rejected[account] += 1
                    return self._send(401, {"error": "expired token"})
                page = int(parse_qs(parts.query).get("page", ["1"])[0])
                with fake.lock:
                    fake.in_flight[account] += 1
                    fake.max_in_flight[account] = max(
                        fake.max_in_flight[account], fake.in_flight[account]
                    )
                    fake.pages[account] += 1
                try:
                    time.sleep(fake.page_delay)
                    start = (page - 1) * PAGE_SIZE
                    items = [
                        {"id": f"{account}-{i}", "title": f"Contract {i} of {account}"}
                        for i in range(start, start + PAGE_SIZE)
                    ]
                finally:
                    # Out of flight before the answer is sent: once the client has it, it may
                    # ask for the next page before this thread would get to run again.
                    with fake.lock:
                        fake.in_flight[account] -= 1
                self._send(
                    200,
                    {
                        "items": items,
                        "next": page + 1 if page < PAGES else None,
                        "total": PAGES * PAGE_SIZE,
                    },
                )

            def log_message(self, *args):
                pass

        return Handler
