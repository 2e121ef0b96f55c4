"""The one HTTP choke point every connector uses.

Always a timeout and a User-Agent; bounded retries with exponential backoff and jitter for
429, 5xx, timeouts, connection resets and malformed JSON; Retry-After honoured; a client-side
throttle; `requests` exceptions turned into ConnectorError with plain words. The retry loop
lives here (not in urllib3) so tests can count attempts. Nothing here puts a URL's query
string or a header in a message: tokens often travel there.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings

from .errors import ConnectorError, NotFound

USER_AGENT = "signhub/0.1 (+https://github.com/signhub)"

# Indirection so tests can replace waiting with a no-op (and record the waits).
sleep: Callable[[float], None] = time.sleep
monotonic: Callable[[], float] = time.monotonic
wallclock: Callable[[], float] = time.time


def _sleep(seconds: float) -> None:
    if seconds > 0:
        sleep(seconds)


class Throttle:
    """A token bucket: at most `rate` requests per second on average, bursts up to `burst`."""

    def __init__(self, rate: float, burst: int = 1) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._tokens = float(self.burst)
        self._updated = monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            now = monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            if self._tokens >= 1:
                self._tokens -= 1
                return
            wait = (1 - self._tokens) / self.rate
            self._tokens = 0.0
            self._updated = now + wait
        _sleep(wait)

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
            now = wallclock()
            slot = int(now // self.window)
            key = f"{self.key}:{slot}"
            cache.add(key, 0, timeout=int(self.window) + 5)
            try:
                count = cache.incr(key)
            except ValueError:  # evicted between add and incr
                continue
            if count <= self.limit:
                return
            _sleep((slot + 1) * self.window - now)


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


def shared_throttle(key: str, rate: float, burst: int = 1):
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


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def host_of(url: str) -> str:
    return urlsplit(url).hostname or "?"


ErrorHook = Callable[[requests.Response], ConnectorError | None]
# (provider error code, " — detail" text) read from an error body; both may be empty.
DescribeHook = Callable[[requests.Response], tuple[str, str]]


class HttpClient:
    """A requests.Session with our retry, throttle and error policy.

    `error_hook(response)` lets a connector handle its provider's special cases: return a
    ConnectorError to use it, or None to fall back to the status-code defaults.
    `describe(response)` gives those defaults the provider's own error code and detail, so a
    connector need not restate them just to word its messages.
    """

    def __init__(
        self,
        *,
        name: str,
        error_hook: ErrorHook | None = None,
        describe: DescribeHook | None = None,
        throttle: Throttle | None = None,
        timeout: float | None = None,
        max_attempts: int | None = None,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        max_wait: float | None = None,
    ) -> None:
        self.name = name
        self.error_hook = error_hook
        self.describe = describe
        self.throttle = throttle
        self.timeout = timeout or settings.SIGNHUB_HTTP_TIMEOUT
        self.max_attempts = max_attempts or settings.SIGNHUB_HTTP_MAX_ATTEMPTS
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_wait = max_wait if max_wait is not None else settings.SIGNHUB_HTTP_MAX_WAIT
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.attempts = 0  # total requests sent, for request-count checks

    def close(self) -> None:
        self.session.close()

    # -- public API -----------------------------------------------------------------

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send with retries; return the (successful) response. Raises ConnectorError."""
        response, _ = self._send(method, url, want_json=False, **kwargs)
        return response

    def request_json(self, method: str, url: str, **kwargs: Any) -> Any:
        """Like request(), and the body must be JSON: a malformed body is retried."""
        _, data = self._send(method, url, want_json=True, **kwargs)
        return data

    # -- policy -----------------------------------------------------------------------

    def backoff(self, attempt: int) -> float:
        delay = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        return delay * random.uniform(0.5, 1.5)

    def classify(self, response: requests.Response) -> ConnectorError | None:
        """None when the response is a success; otherwise the error it means."""
        if self.error_hook is not None:
            error = self.error_hook(response)
            if error is not None:
                return error
        status = response.status_code
        if status < 400:
            return None
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        code, detail = self.describe(response) if self.describe is not None else ("", "")
        label = f"{status} {code}".strip()
        if status == 401:
            return ConnectorError(
                f"{self.name} rejected the credentials ({label}){detail}",
                code="unauthorized",
                status=status,
                refresh=True,
            )
        if status == 403:
            return ConnectorError(
                f"{self.name} refused access ({label}){detail}: the account lacks a permission",
                code="forbidden",
                status=status,
            )
        if status == 404:
            return NotFound(f"{self.name} has no such item ({label}){detail}")
        if status == 429:
            return ConnectorError(
                f"{self.name} rate limit reached ({label})",
                code="rate_limited",
                status=status,
                retryable=True,
                retry_after=retry_after,
            )
        if status >= 500:
            return ConnectorError(
                f"{self.name} had a server error ({label}){detail}",
                code="server_error",
                status=status,
                retryable=True,
                retry_after=retry_after,
            )
        return ConnectorError(
            f"{self.name} refused the request ({label}){detail}",
            code=code or "bad_request",
            status=status,
        )

    # -- the loop -----------------------------------------------------------------------

    def _send(self, method: str, url: str, *, want_json: bool, **kwargs: Any):
        kwargs.setdefault("timeout", self.timeout)
        host = host_of(url)
        for attempt in range(1, self.max_attempts + 1):
            if self.throttle is not None:
                self.throttle.acquire()
            self.attempts += 1
            data = None
            try:
                response = self.session.request(method, url, **kwargs)
            except requests.Timeout:
                error = ConnectorError(
                    f"{self.name} ({host}) did not answer within {kwargs['timeout']} s",
                    code="timeout",
                    retryable=True,
                )
            except (
                requests.ConnectionError,
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError,
            ):
                error = ConnectorError(
                    f"Could not reach {self.name} ({host}): the connection failed or was reset",
                    code="connection_error",
                    retryable=True,
                )
            except requests.RequestException as exc:
                raise ConnectorError(
                    f"Request to {self.name} ({host}) failed: {type(exc).__name__}",
                    code="request_error",
                ) from None
            else:
                error = self.classify(response)
                if error is None and want_json:
                    try:
                        data = response.json()
                    except ValueError:
                        error = ConnectorError(
                            f"{self.name} sent a malformed or truncated JSON body",
                            code="malformed_response",
                            retryable=True,
                        )
                if error is None:
                    return response, data
                response.close()
            if not error.retryable or attempt == self.max_attempts:
                if error.retryable:
                    error.message = f"{error.message} (gave up after {attempt} attempts)"
                    error.args = (error.message,)
                raise error
            delay = error.retry_after if error.retry_after is not None else self.backoff(attempt)
            if delay > self.max_wait:
                raise ConnectorError(
                    f"{error.message}; the provider asks to wait {int(delay)} s, longer than "
                    f"the {int(self.max_wait)} s we wait — try again later",
                    code=error.code,
                    status=error.status,
                    retryable=True,
                    retry_after=delay,
                )
            _sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover


def ensure_allowed_url(url: str, *, allowed_hosts: set[str], require_https: bool) -> str:
    """Refuse to fetch a URL unless its host is one the account owns (anti-SSRF).

    Used before following provider-supplied URLs (download links, redirects): only http(s),
    only the listed hosts (exact match, case-insensitive), and https when the account's
    base URL is https.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ConnectorError(
            "Refused a download link with an unsupported scheme", code="unsafe_url"
        )
    if require_https and parts.scheme != "https":
        raise ConnectorError(
            "Refused a plain-http download link for an https account", code="unsafe_url"
        )
    host = (parts.hostname or "").lower()
    if host not in {h.lower() for h in allowed_hosts}:
        raise ConnectorError(
            f"Refused a download link to a foreign host ({host or '?'})", code="unsafe_url"
        )
    return url
