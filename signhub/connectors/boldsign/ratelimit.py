"""Staying inside BoldSign's hourly request budget.

BoldSign allows 2,000 requests per hour per account live and 50 in sandbox, shared by every
client of the account, and reports `X-RateLimit-Limit/Remaining/Reset` on responses
(https://developers.boldsign.com/api-overview/rate-limit/; docs/connector-boldsign.md).
We pace requests with a token bucket: a burst of 25 % of the hourly limit (so syncs of up
to ~500 pages are not slowed at all), then 70 % of the limit per hour — together at most
95 % of the budget in any hour, leaving room for the account's other clients. We adopt a
lower limit the server announces, wait for the reset when the server says nothing is left,
and say in plain words how long a sync will take when the budget cannot cover it.

The budget is the HttpClient's throttle (`acquire` before every request) and reads every
answer (`observe`, the client's `on_response` hook).
"""

from __future__ import annotations

import logging
import math
import time
from datetime import UTC, datetime

import requests

from signhub.core.errors import ConnectorError
from signhub.core.http import Throttle, clock, parse_retry_after, shared_throttle

logger = logging.getLogger("signhub.connectors.boldsign")

LIVE_HOURLY_LIMIT = 2000
PACE_SHARE = 0.7  # steady pace, share of the hourly limit
BURST_SHARE = 0.25  # burst + pace * 1 h = 95 % of the limit


def _header_int(response: requests.Response, name: str) -> int | None:
    value = response.headers.get(name)
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None


def reset_seconds(response: requests.Response) -> float | None:
    """`X-RateLimit-Reset` as seconds from now: a unix time, or (tolerated) a delta."""
    value = _header_int(response, "X-RateLimit-Reset")
    if value is None:
        return None
    if value > 1_000_000_000:
        return max(0.0, value - time.time())
    return float(max(0, value))


def retry_after(response: requests.Response) -> float | None:
    """How long a 429 asks us to wait: Retry-After, else until the reset."""
    wait = parse_retry_after(response.headers.get("Retry-After"))
    return wait if wait is not None else reset_seconds(response)


def human_duration(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours} h {minutes} min"
    return f"{hours} h" if hours else f"{minutes} min"


class RateBudget:
    """One account's view of its hourly budget; feeds the shared throttle."""

    def __init__(self, key: str, hourly_limit: int | None, max_wait: float) -> None:
        self.key = key
        self.limit = int(hourly_limit or LIVE_HOURLY_LIMIT)
        self.max_wait = max_wait
        self.remaining: int | None = None
        self.reset_at: float | None = None  # epoch seconds
        self.pending_requests = 0  # what the sync in progress still expects to send
        self.throttle: Throttle = self._make_throttle()

    def _make_throttle(self) -> Throttle:
        rate = self.limit * PACE_SHARE / 3600.0
        return shared_throttle(self.key, rate, max(1, int(self.limit * BURST_SHARE)))

    # -- reading the server's headers -------------------------------------------------

    def observe(self, response: requests.Response) -> None:
        limit = _header_int(response, "X-RateLimit-Limit")
        if limit and limit < self.limit:
            # e.g. a sandbox key (50/h) on an account configured for live: slow down.
            logger.info("BoldSign reports a limit of %s requests/hour; pacing to it", limit)
            self.limit = limit
            self.throttle = self._make_throttle()
        if response.status_code == 429:
            return  # the retry waits as the 429 says; the next answer updates the budget
        # A response without the headers clears what we knew: never wait on stale numbers.
        self.remaining = _header_int(response, "X-RateLimit-Remaining")
        reset = reset_seconds(response)
        self.reset_at = time.time() + reset if reset is not None else None

    # -- before each request ------------------------------------------------------------

    def acquire(self) -> None:
        """The HttpClient's throttle: wait out a spent budget, then pace the request."""
        self.before_request()
        self.throttle.acquire()

    def pause(self, seconds: float) -> None:
        self.throttle.pause(seconds)

    def before_request(self) -> None:
        """If the server said the budget is spent, wait for its reset (or explain)."""
        if self.remaining is None or self.remaining > 0 or self.reset_at is None:
            return
        wait = self.reset_at - time.time()
        if wait <= 0:
            self.remaining = None
            return
        if wait > self.max_wait:
            raise ConnectorError(
                self.exhausted_message(wait), code="rate_limited", retryable=True, retry_after=wait
            )
        logger.warning(
            "BoldSign hourly API budget used up; waiting %s for it to renew",
            human_duration(wait),
        )
        clock.sleep(wait)
        self.remaining = None

    def exhausted_message(self, wait: float) -> str:
        at = datetime.fromtimestamp(time.time() + wait, tz=UTC).strftime("%H:%M UTC")
        need = ""
        if self.pending_requests:
            need = (
                f" This sync still needs about {self.pending_requests} requests, which takes "
                f"about {human_duration(self.duration_for(self.pending_requests))} at "
                f"{self.limit} requests/hour."
            )
        return (
            f"BoldSign's hourly API budget for this account is used up; it renews in "
            f"{human_duration(wait)} (at {at}).{need} The sync stopped; run it again then."
        )

    def duration_for(self, requests_needed: int) -> float:
        return requests_needed / (self.limit * PACE_SHARE / 3600.0)

    def announce(self, requests_needed: int, what: str) -> None:
        """Warn when the sync cannot finish within the budget it has now."""
        self.pending_requests = requests_needed
        budget = self.remaining if self.remaining is not None else self.limit
        burst = max(1, int(self.limit * BURST_SHARE))
        if requests_needed <= min(budget, burst):
            return
        logger.warning(
            "BoldSign: %s needs about %s more requests; at %s requests/hour this sync will "
            "take about %s",
            what,
            requests_needed,
            self.limit,
            human_duration(self.duration_for(requests_needed)),
        )
