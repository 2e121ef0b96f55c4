"""Structured (JSON) log lines with the request id, scrubbed of anything secret-looking.

Enabled with LOG_FORMAT=json (see settings.LOGGING). Messages in signhub never carry
secrets by design; the scrubber is a second line of defence for third-party messages
(query strings with tokens, Authorization headers, password=... pairs).
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from .request_id import current_request_id

_SECRET_PATTERNS = [
    # ?access_token=...&x=... → keep the path, drop every query value.
    (re.compile(r"(https?://[^\s?#\"']+)\?[^\s#\"']*"), r"\1?[redacted]"),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), r"\1 [redacted]"),
    (
        re.compile(
            r"(?i)\b([\w-]*(?:token|secret|password|passwd|api[_-]?key|authorization|"
            r"client[_-]?secret)[\w-]*)(\"?\s*[:=]\s*\"?)[^\s&,;\"']+"
        ),
        r"\1\2[redacted]",
    ),
    # A request line's query (`GET /callback?code=…&auth=…`): single-use codes, portal tokens.
    (
        re.compile(r"(?i)([?&](?:code|auth|sig|signature|key|apikey|assertion)=)[^\s&#\"']+"),
        r"\1[redacted]",
    ),
]


def scrub(text: str) -> str:
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class ScrubFilter(logging.Filter):
    """Every console line scrubbed, plain format too: runserver's access log prints request
    lines with their query string (a sandbox's `?client_secret=…&refresh_token=…`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class SandboxAnswersFilter(logging.Filter):
    """Drops django.request's 4xx lines for /sandbox/: the sandboxes answer 401 on purpose
    (an expired token, so the connector's refresh runs) — expected, not a warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        path = getattr(request, "path", "") or ""
        status = getattr(record, "status_code", None) or 500
        return not (path.startswith("/sandbox/") and status < 500)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (\"-\" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # django.request logs after the middleware returned, but passes the request.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or current_request_id()
        return True


def _request_id(record: logging.LogRecord) -> str:
    # gunicorn's access log runs outside the request; its atoms carry the response header.
    if record.name == "gunicorn.access" and isinstance(record.args, dict):
        return record.args.get("{x-request-id}o") or "-"
    return getattr(record, "request_id", None) or current_request_id()


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
            "request_id": _request_id(record),
            "process": record.process,
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)
