"""Stream-decode JSign's download answer: a PDF as base64 inside JSON.

`{"data": {"file_name": ..., "document_base64": "JVBERi0..."}}` can be hundreds of MB, so
it is never parsed whole: the bytes before the `document_base64` value are scanned (bounded)
for the file name, then the string value is unescaped and base64-decoded chunk by chunk in
groups of 4 characters. At most one network chunk plus three characters are held.
"""

from __future__ import annotations

import binascii
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from signhub.core.errors import ConnectorError

from .errors import error_for, first_error

_KEY = re.compile(rb'"document_base64"\s*:\s*')
_WHITESPACE = b" \t\r\n"
# URL-safe base64 ('-', '_') decodes like the standard alphabet.
_URLSAFE = bytes.maketrans(b"-_", b"+/")
_B64 = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
_SIMPLE_ESCAPES = {ord("/"): b"/", ord("n"): b"", ord("r"): b"", ord("t"): b"", ord("\\"): b""}
# Metadata fields that precede the file in JSign's sample answer.
_META = re.compile(rb'"(file_name|document_name)"\s*:\s*"((?:[^"\\]|\\.)*)"')
PREFIX_LIMIT = 1024 * 1024  # metadata before the file; anything bigger is not a download


def cut_off() -> ConnectorError:
    return ConnectorError(
        "The JSign download was cut off before the end of the file",
        code="truncated_download",
        retryable=True,
    )


class Base64JsonDecoder:
    """Call `open()` (reads up to the file, returns metadata), then iterate decoded bytes."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._tail = b""
        self.meta: dict[str, str] = {}

    def open(self) -> dict[str, str]:
        buffer = bytearray()
        for chunk in self._chunks:
            buffer += chunk
            match = _KEY.search(buffer)
            if match and match.end() < len(buffer):
                value_start = buffer[match.end()]
                self.meta = _metadata(bytes(buffer[: match.start()]))
                if value_start != ord('"'):
                    raise ConnectorError(
                        "JSign answered the download without file content", code="empty_download"
                    )
                self._tail = self._skip_data_uri(bytes(buffer[match.end() + 1 :]))
                return self.meta
            if len(buffer) > PREFIX_LIMIT:
                break
        raise _not_a_file(bytes(buffer[:PREFIX_LIMIT]))

    def _skip_data_uri(self, tail: bytes) -> bytes:
        """Some APIs prefix the value with `data:application/pdf;base64,`: drop it."""
        while len(tail) < 256:
            more = next(self._chunks, None)
            if more is None:
                break
            tail += more
        if tail.startswith(b"data:") and b"," in tail[:256]:
            return tail[tail.index(b",") + 1 :]
        return tail

    def __iter__(self) -> Iterator[bytes]:
        pending = bytearray()  # base64 characters not yet decoded (< 4 between chunks)
        carry = b""  # an escape sequence split across chunks
        chunks = self._chunks
        data = self._tail
        while True:
            data = carry + data
            carry = b""
            done = False
            pos = 0
            while pos < len(data):
                end = _next_special(data, pos)
                pending += data[pos:end].translate(_URLSAFE, _WHITESPACE)
                if end == len(data):
                    break
                if data[end] == ord('"'):
                    done = True
                    break
                # An escape: `\/` (PHP-style), `\u002B` (.NET escapes '+'), `\n` line breaks.
                if end + 1 >= len(data):
                    carry = data[end:]
                    break
                kind = data[end + 1]
                if kind == ord("u"):
                    if end + 6 > len(data):
                        carry = data[end:]
                        break
                    char = chr(int(data[end + 2 : end + 6], 16)).encode("latin-1", "ignore")
                    pending += char if char and char[0] in _B64 else b""
                    pos = end + 6
                else:
                    pending += _SIMPLE_ESCAPES.get(kind, b"")
                    pos = end + 2
            usable = len(pending) - len(pending) % 4
            if usable:
                yield _decode(pending[:usable])
                del pending[:usable]
            if done:
                break
            data = next(chunks, None)
            if data is None:
                raise cut_off()
        if pending:
            if len(pending) % 4 == 1:
                raise ConnectorError("JSign sent a damaged file (bad base64)", code="bad_base64")
            yield _decode(pending + b"=" * (-len(pending) % 4))


def _next_special(data: bytes, pos: int) -> int:
    """Index of the next quote or backslash (bytes.find is memchr-fast; a regex is not)."""
    quote = data.find(b'"', pos)
    slash = data.find(b"\\", pos, quote if quote >= 0 else len(data))
    if slash >= 0:
        return slash
    return quote if quote >= 0 else len(data)


def _decode(data: bytes | bytearray) -> bytes:
    try:
        return binascii.a2b_base64(data)
    except binascii.Error:
        raise ConnectorError("JSign sent a damaged file (bad base64)", code="bad_base64") from None


def _metadata(prefix: bytes) -> dict[str, str]:
    meta = {}
    for key, value in _META.findall(prefix):
        try:
            meta[key.decode()] = json.loads(b'"' + value + b'"')
        except ValueError:
            continue
    if meta.get("file_name", "").startswith("data:"):
        meta.pop("file_name")
    return meta


def _not_a_file(body: bytes) -> ConnectorError:
    """The answer had no `document_base64`: report JSign's own error when it sent one."""
    try:
        payload: Any = json.loads(body)
    except ValueError:
        return ConnectorError("JSign sent an unreadable download answer", code="malformed_response")
    code, message = first_error(payload)
    if code:
        error = error_for(None, code, message)
        if error is not None:
            return error
    return ConnectorError("JSign answered the download without file content", code="empty_download")
