"""Client-side rate limits: a token bucket per key, plus a cross-process window via the cache.

A connector declares its provider's pace as class attributes (`rate_per_second`, `burst`);
`shared_throttle` hands every thread the same bucket for a key (an account, a portal) and,
when the Django cache is shared between processes (Redis), also caps each window there.
"""

from __future__ import annotations

import threading

from django.conf import settings

from . import clock


class Throttle:
    """A token bucket: at most `rate` requests per second on average, bursts up to `burst`."""

    def __init__(self, rate: float, burst: int = 1) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._tokens = float(self.burst)
        self._updated = clock.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            now = clock.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            if self._tokens >= 1:
                self._tokens -= 1
                return
            wait = (1 - self._tokens) / self.rate
            self._tokens = 0.0
            self._updated = now + wait
        clock.pause(wait)

    def pause(self, seconds: float) -> None:
        """The provider told us to slow down: empty the bucket for `seconds`."""
        with self._lock:
            self._tokens = min(self._tokens, 0.0) - seconds * self.rate


class SharedWindow:
    """Caps requests per fixed window across processes, through the Django cache.

    With Redis as CACHE_URL every web process and worker shares the count; with the local
    memory cache it is per process (the in-process token bucket already covers that case).
    """

    def __init__(self, key: str, limit: int, window: float) -> None:
        self.key = f"signhub:throttle:{key}"
        self.limit = limit
        self.window = window

    def acquire(self) -> None:
        from django.core.cache import cache

        for _ in range(1000):  # bounded: at most ~1000 windows of waiting
            now = clock.wallclock()
            slot = int(now // self.window)
            key = f"{self.key}:{slot}"
            cache.add(key, 0, timeout=int(self.window) + 5)
            try:
                count = cache.incr(key)
            except ValueError:  # evicted between add and incr
                continue
            if count <= self.limit:
                return
            clock.pause((slot + 1) * self.window - now)


class Throttled:
    """The local token bucket plus, when configured, the cross-process window."""

    def __init__(self, bucket: Throttle, window: SharedWindow | None) -> None:
        self.bucket = bucket
        self.window = window
        self.rate, self.burst = bucket.rate, bucket.burst

    def acquire(self) -> None:
        self.bucket.acquire()
        if self.window is not None:
            self.window.acquire()

    def pause(self, seconds: float) -> None:
        self.bucket.pause(seconds)


def _cache_is_shared() -> bool:
    """Whether the cross-process window applies: SIGNHUB_SHARED_THROTTLE (true/false), or by
    default whenever the cache is shared between processes (Redis, Memcached, database)."""
    forced = getattr(settings, "SIGNHUB_SHARED_THROTTLE", None)
    if forced is not None:
        return bool(forced)
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    return "locmem" not in backend and "dummy" not in backend


_throttles: dict[str, Throttle] = {}
_throttles_lock = threading.Lock()


def shared_throttle(key: str, rate: float, burst: int = 1) -> Throttled:
    """One bucket per key (e.g. per portal or per account), shared by all threads; with a
    shared cache (Redis) also capped across processes and machines per window of
    max(1 s, burst / rate): no more than the provider's burst in any such window."""
    with _throttles_lock:
        bucket = _throttles.get(key)
        if bucket is None or bucket.rate != rate or bucket.burst != burst:
            bucket = _throttles[key] = Throttle(rate, burst)
    window = None
    if _cache_is_shared():
        span = max(1.0, burst / rate)
        window = SharedWindow(key, limit=max(1, int(rate * span)), window=span)
    return Throttled(bucket, window)


def reset() -> None:
    """Forget every bucket (tests start each case with full buckets)."""
    with _throttles_lock:
        _throttles.clear()
