"""Turning the `cms` parameter into stored bytes, and back.

The value is base64 of a DER CMS SignedData or of an XML document holding a ds:Signature; a
value that starts with "<" is taken as the XML text itself. Anything else is refused with a
reason in words (`invalid_signature`), unless SIGNHUB_PERSIST_ALLOW_OPAQUE lets an
installation keep blobs signhub cannot read. The API always answers with base64.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from django.conf import settings

from signhub.verify.cms import load_signed_data
from signhub.verify.xmldsig import safe_root, signatures_in

_WHITESPACE = re.compile(rb"\s+")


class BlobError(ValueError):
    """The value is not a usable signature; the message says why in plain words."""


class NotASignature(BlobError):
    """Decodes to bytes, but they are neither CMS SignedData nor XML with a ds:Signature."""


@dataclass(frozen=True)
class Blob:
    data: bytes
    kind: str  # "cms" | "xml" | "raw"

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


def _decode(value: str) -> bytes:
    stripped = value.strip()
    if not stripped:
        raise BlobError("must not be empty")
    if stripped.startswith("<"):
        try:
            return stripped.encode("utf-8")
        except UnicodeEncodeError:
            raise BlobError("must be valid Unicode (no lone surrogates)") from None
    # Line breaks inside base64 (MIME style) are common in signing tools; drop them.
    compact = _WHITESPACE.sub(b"", stripped.encode("ascii", errors="replace"))
    try:
        data = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise BlobError("is not valid base64") from None
    if not data:
        raise BlobError("decodes to an empty blob")
    return data


def check_signature(data: bytes) -> str:
    """The kind of a readable signature, else NotASignature naming what is wrong."""
    kind = sniff_kind(data)
    if kind == "cms":
        try:
            load_signed_data(data)
        except ValueError as exc:
            raise NotASignature(f"is {exc}") from None
        return kind
    if kind == "xml":
        try:
            root = safe_root(data)
        except ValueError as exc:
            raise NotASignature(f"is {exc}") from None
        if not signatures_in(root):
            raise NotASignature("is XML without a ds:Signature element")
        return kind
    raise NotASignature("is neither DER CMS SignedData nor an XML signature document")


def allow_opaque() -> bool:
    return bool(getattr(settings, "SIGNHUB_PERSIST_ALLOW_OPAQUE", False))


def parse_blob(value: str) -> Blob:
    if not isinstance(value, str):
        raise BlobError("must be a base64 string")
    data = _decode(value)
    try:
        kind = check_signature(data)
    except NotASignature:
        if not allow_opaque():
            raise
        kind = "raw"
    return Blob(data=data, kind=kind)


def to_base64(data: bytes) -> str:
    return base64.b64encode(bytes(data)).decode("ascii")
