"""Run pyHanko's async validators from synchronous code, with or without a running loop."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor


def run(coro):
    """`asyncio.run`, or the same in a helper thread when this thread already runs a loop
    (an ASGI server, or a test driving a browser through Playwright's sync API)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
