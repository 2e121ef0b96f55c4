"""Reading response headers every connector needs: Retry-After, file names, types, sizes."""

from __future__ import annotations

import email.utils
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import Message


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


def disposition_filename(value: str | None) -> str:
    """The file name a Content-Disposition header gives, "" when none.

    RFC 6266: the extended `filename*` (RFC 5987, any charset) wins over plain `filename`.
    Parsed by the standard library's MIME parameter reader, quoting and escapes included.
    """
    if not value:
        return ""
    header = Message()
    header["Content-Disposition"] = value
    plain, extended = "", ""
    for name, param in header.get_params(header="content-disposition", failobj=[])[1:]:
        if name.lower() != "filename":
            continue
        if isinstance(param, tuple):
            extended = email.utils.collapse_rfc2231_value(param).strip()
        else:
            plain = str(param).strip()
    return extended or plain


def media_type(value: str | None, default: str = "application/octet-stream") -> str:
    """`application/pdf; charset=…` → `application/pdf` (lower case); `default` when empty."""
    kind = (value or "").split(";", 1)[0].strip().lower()
    return kind or default


def content_length(headers: Mapping[str, str]) -> int | None:
    """Content-Length when it is a plain number (a stream's size is unknown otherwise)."""
    value = (headers.get("Content-Length") or "").strip()
    return int(value) if value.isdigit() else None
