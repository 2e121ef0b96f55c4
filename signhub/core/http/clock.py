"""Waiting and time, behind one indirection so tests can record waits instead of sleeping."""

from __future__ import annotations

import time
from collections.abc import Callable

sleep: Callable[[float], None] = time.sleep
monotonic: Callable[[], float] = time.monotonic
wallclock: Callable[[], float] = time.time


def pause(seconds: float) -> None:
    """Wait `seconds` (nothing for zero or less), through the patchable `sleep`."""
    if seconds > 0:
        sleep(seconds)
