"""How long a person waits: the one place that cuts an HttpClient's patience for requests
someone is watching (a download, "Test connection").

A sync may wait out 30 s timeouts and retries; a reviewer clicking "Download" may not.
Interactive requests make one attempt with a connect timeout shorter than the read timeout
(an unreachable host fails in seconds, a slow but alive one still gets to answer), and
never sleep for a Retry-After: 3 s + 6 s by default keeps every answer under 10 s.
"""

from __future__ import annotations

from django.conf import settings

from .client import HttpClient


def interactive_timeouts() -> tuple[float, float]:
    """(connect, read) seconds, from SIGNHUB_INTERACTIVE_CONNECT/READ_TIMEOUT."""
    return (
        float(settings.SIGNHUB_INTERACTIVE_CONNECT_TIMEOUT),
        float(settings.SIGNHUB_INTERACTIVE_READ_TIMEOUT),
    )


def make_interactive(http: HttpClient) -> HttpClient:
    """`http`, changed in place to answer within the interactive deadline."""
    http.timeout = interactive_timeouts()
    http.max_attempts = 1
    http.max_wait = 0
    return http
