"""Fetch the next page while the current one is written.

A sync alternates between waiting for the provider and writing to the database; with the
provider's call in a thread (sockets and the database drivers release the GIL) the two
overlap, so a page costs about max(fetch, write) instead of their sum. The connector's
generator runs entirely in that one thread, one page ahead at most; its exceptions are
raised in the caller, in order, as if it ran there.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

from django.db import connections

T = TypeVar("T")
_PAGE, _ERROR, _DONE = "page", "error", "done"


def prefetched(source: Iterator[T], *, join_timeout: float = 60.0) -> Iterator[T]:
    """Iterate `source` one item ahead in a worker thread."""
    slot: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                slot.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in source:
                if not put((_PAGE, item)):
                    return
            put((_DONE, None))
        except BaseException as exc:  # raised again in the caller
            put((_ERROR, exc))
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()
            connections.close_all()  # this thread's own (e.g. for ctx.known_ids)

    worker = threading.Thread(target=produce, name="sync-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = slot.get()
            if kind == _PAGE:
                yield value
            elif kind == _ERROR:
                raise value
            else:
                return
    finally:
        stop.set()
        worker.join(join_timeout)
