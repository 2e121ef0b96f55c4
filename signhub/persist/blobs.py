"""Turning the `cms` parameter into stored bytes, and back.

Assumption (the seed is silent): the value is base64 of a DER CMS/PKCS#7 structure or of an
XML signature document; a value that starts with "<" is taken as the XML text itself. The API
always answers with base64 of the stored bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

_WHITESPACE = re.compile(rb"\s+")


class BlobError(ValueError):
    """The value is not a usable signature; the message says why in plain words."""


@dataclass(frozen=True)
class Blob:
    data: bytes
    kind: str  # "cms" | "xml"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def sniff_kind(data: bytes) -> str | None:
    """DER starts with a SEQUENCE tag (0x30); XML with "<" (after an optional BOM/whitespace)."""
    if data[:1] == b"\x30":
        return "cms"
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] == b"<":
        return "xml"
    return None


def parse_blob(value: str) -> Blob:
    if not isinstance(value, str):
        raise BlobError("must be a base64 string")
    stripped = value.strip()
    if not stripped:
        raise BlobError("must not be empty")
    if stripped.startswith("<"):
        data = stripped.encode("utf-8")
    else:
        # Line breaks inside base64 (MIME style) are common in signing tools; drop them.
        compact = _WHITESPACE.sub(b"", stripped.encode("ascii", errors="replace"))
        try:
            data = base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError):
            raise BlobError("is not valid base64") from None
        if not data:
            raise BlobError("decodes to an empty blob")
    kind = sniff_kind(data)
    if kind is None:
        raise BlobError("is neither a DER CMS/PKCS#7 structure nor an XML document")
    return Blob(data=data, kind=kind)


def to_base64(data: bytes) -> str:
    return base64.b64encode(bytes(data)).decode("ascii")
