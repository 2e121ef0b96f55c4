"""Which content type a proxied provider file is served with, and the extension it implies.

The provider's content type is hostile input like its file names: a type a browser would
run (HTML, SVG, XML, scripts) is served as `application/octet-stream`, so even a browser
that ignored `Content-Disposition: attachment` could not run a provider's page in
signhub's origin. When the provider's file name and its content type disagree (a PDF named
`….exe`), the extension follows the content type: what the file is, not what it is called.
"""

from __future__ import annotations

import mimetypes
import re

OCTET_STREAM = "application/octet-stream"

_WELL_FORMED = re.compile(r"^[\w.+-]+/[\w.+-]+(\s*;\s*[\w.+-]+=[\w.+\"-]+)*$")
# Types a browser renders as a document with scripts, or runs, when opened in a tab.
_ACTIVE = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "image/svg+xml",
        "text/xml",
        "application/xml",
        "text/xsl",
        "application/xslt+xml",
        "text/javascript",
        "application/javascript",
        "application/x-javascript",
        "text/ecmascript",
        "application/ecmascript",
        "text/jscript",
        "application/wasm",
        "text/css",
        "application/x-shockwave-flash",
        "text/vnd.wap.wml",
        "multipart/x-mixed-replace",
    }
)
# The files signhub proxies (signed copies, signatures, audit trails, attachments), with the
# extension each should carry; other types fall back to Python's own table.
_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "application/pkcs7-signature": (".p7s",),
    "application/x-pkcs7-signature": (".p7s",),
    "application/pkcs7-mime": (".p7m", ".p7c"),
    "application/x-pkcs7-mime": (".p7m", ".p7c"),
    "application/zip": (".zip",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/msword": (".doc",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg", ".jpe"),
    "text/plain": (".txt", ".log"),
    "text/csv": (".csv",),
    "application/json": (".json",),
}
# Python's table without the machine's /etc/mime.types: the same answer everywhere.
_BUILTIN = mimetypes.MimeTypes(filenames=())


def media_type(content_type: str) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def served_type(content_type: str) -> str:
    """The type to send: the provider's if well-formed and passive, else octet-stream."""
    value = (content_type or "").strip()
    if not _WELL_FORMED.match(value):
        return OCTET_STREAM
    kind = media_type(value)
    if kind in _ACTIVE or kind.endswith(("+xml", "/xml")) or "script" in kind:
        return OCTET_STREAM
    return value


def extensions_for(content_type: str) -> tuple[str, ...]:
    """Extensions that fit the type, preferred first; () when the type says nothing."""
    kind = media_type(content_type)
    if not kind or kind == OCTET_STREAM:
        return ()
    return _EXTENSIONS.get(kind) or tuple(_BUILTIN.guess_all_extensions(kind))


def extension(own: str, content_type: str) -> str:
    """`own` (the provider's extension, may be '') unless the content type contradicts it."""
    fitting = extensions_for(content_type)
    if not fitting or own.lower() in fitting:
        return own.lower()
    return fitting[0]
