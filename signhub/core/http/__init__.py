"""HTTP for connectors, split by job: the client and its retry loop (`client`), rate limits
(`throttle`), which URLs may be fetched (`urlpolicy`), header parsing (`headers`) and the
patchable clock (`clock`). The names connectors use are importable from here."""

from .client import (
    CREDENTIAL_HEADERS,
    USER_AGENT,
    DescribeHook,
    ErrorHook,
    HttpClient,
    ResponseHook,
)
from .headers import content_length, disposition_filename, media_type, parse_retry_after
from .throttle import SharedWindow, Throttle, Throttled, shared_throttle
from .urlpolicy import UrlPolicy, ensure_allowed_url, host_of

__all__ = [
    "CREDENTIAL_HEADERS",
    "USER_AGENT",
    "DescribeHook",
    "ErrorHook",
    "HttpClient",
    "ResponseHook",
    "SharedWindow",
    "Throttle",
    "Throttled",
    "UrlPolicy",
    "content_length",
    "disposition_filename",
    "ensure_allowed_url",
    "host_of",
    "media_type",
    "parse_retry_after",
    "shared_throttle",
]
