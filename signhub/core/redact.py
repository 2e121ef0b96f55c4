"""Provider words made safe to store and show: no URLs, query strings or tokens.

Providers put odd things in error bodies: the request URL with `?access_token=…`, a JWT, a
client secret echoed back. Their words still help an administrator ("invalid_grant",
"Document not found"), so they are kept, but every secret-looking part is replaced first.
Used where a ConnectorError is worded from provider text (the describe hooks, the core
defaults) and again where the sync stores the message on the account and the run.
"""

from __future__ import annotations

import re

_URL = re.compile(r"\b[a-z][a-z0-9+.-]{1,15}://[^\s\"'<>]+", re.IGNORECASE)
_WWW = re.compile(r"\bwww\.[^\s\"'<>]+", re.IGNORECASE)
# A query string without its URL: `/oauth/token?client_secret=…`, `?auth=…`.
_QUERY = re.compile(r"\?[^\s\"'<>?]*=[^\s\"'<>]*")
_SECRET_NAMES = (
    r"access[_-]?token|refresh[_-]?token|id[_-]?token|token|client[_-]?secret|secret|"
    r"password|passwd|pwd|api[_-]?key|apikey|x-api-key|auth|authorization|signature|sig|"
    r"assertion|cookie"
)
# name=value, name: value, "name": "value" (JSON), name='value'.
_PAIR = re.compile(
    rf"(?P<name>[\"']?\b(?:{_SECRET_NAMES})\b[\"']?\s*[=:]\s*)(?P<quote>[\"']?)"
    rf"(?!\[|(?:Bearer|Basic|Token|Digest)\s)[^\s\"'&,;}}]+",
    re.IGNORECASE,
)
_SCHEME_TOKEN = re.compile(r"\b(Bearer|Basic|Token|Digest)\s+[A-Za-z0-9._~+/=-]{6,}", re.IGNORECASE)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}(?:\.[A-Za-z0-9_-]*)?")
# Long opaque strings (API keys, hex digests): letters and digits mixed, 32+ characters.
_OPAQUE = re.compile(r"\b(?=[A-Za-z0-9_+/=]*\d)(?=[A-Za-z0-9_+/=]*[A-Za-z])[A-Za-z0-9_+/=]{32,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACE = re.compile(r"\s+")
_CODE_CHARS = re.compile(r"[^A-Za-z0-9_.-]")

REDACTED = "[redacted]"
LINK = "[link]"


def redact(text: object, *, limit: int | None = None) -> str:
    """`text` with URLs, query strings, tokens and key=value secrets replaced.

    Control characters go and whitespace runs become one space (a leading space is kept, so
    a " (detail)" suffix stays a suffix); `limit` shortens the result, ending in "…".
    """
    words = "" if text is None else str(text)
    words = _CONTROL.sub("", words)
    words = _JWT.sub(REDACTED, words)
    words = _URL.sub(LINK, words)
    words = _WWW.sub(LINK, words)
    words = _QUERY.sub("?" + REDACTED, words)
    words = _SCHEME_TOKEN.sub(lambda m: f"{m.group(1)} {REDACTED}", words)
    words = _PAIR.sub(lambda m: f"{m.group('name')}{m.group('quote')}{REDACTED}", words)
    words = _OPAQUE.sub(REDACTED, words)
    words = _SPACE.sub(" ", words)
    if limit is not None and len(words) > limit:
        words = words[: max(0, limit - 1)].rstrip() + "…"
    return words


def safe_code(code: object, *, default: str = "error") -> str:
    """A provider's error code as a short identifier (letters, digits, `_.-`; 64 at most)."""
    return _CODE_CHARS.sub("", "" if code is None else str(code))[:64] or default
