"""Safe download file names and the Content-Disposition header that carries them.

Names come from provider data (titles typed by senders), so they are hostile input: no path
separators, no quotes, no CR/LF or other control characters (header injection), no format
characters (Unicode category Cf: bidi overrides, which could make a title display as
"contract.pdf" while ending in ".exe", and zero-width characters that hide text), a length
cap in UTF-8 bytes that keeps the extension, the extension the content type implies, and an
ASCII fallback next to the RFC 5987 `filename*` for old clients (RFC 6266).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.conf import settings

from signhub.core.connector import FILE_KINDS

from . import content_types

# Most filesystems allow 255 bytes per name; stay well below so "(2)" suffixes and
# archive folders still fit.
MAX_NAME_BYTES = 180
DEFAULT_TEMPLATE = "{date} {title} ({provider}){ext}"

# Windows-reserved characters, path separators and quotes.
_UNSAFE = re.compile(r'[\\/:*?"<>|]')
_EXT = re.compile(r"^\.[A-Za-z0-9]{1,10}$")
# "Contract v1.2" has no extension; ".pdf", ".p7s", ".docx" are.
_EXT_AT_END = re.compile(r"\.(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{1,10}$")
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)


def _strip_controls(text: str) -> str:
    """Format characters (Cf: bidi marks and overrides, zero-width space and joiners, the
    BOM, soft hyphens) removed; controls (Cc: CR, LF, NUL, TAB...) and line or paragraph
    separators (Zl, Zp) become spaces."""
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cf":
            continue
        out.append(" " if category in ("Cc", "Zl", "Zp") else ch)
    return "".join(out)


def clean_part(text: str) -> str:
    """Make one piece of a name safe: no separators, quotes or controls; tidy spaces."""
    text = unicodedata.normalize("NFC", str(text or ""))
    text = _strip_controls(text)
    text = _UNSAFE.sub("_", text).replace("'", "")
    text = re.sub(r"\s+", " ", text)
    return text.strip(" .")


def _truncate_bytes(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore").rstrip(" .")


def split_ext(name: str) -> tuple[str, str]:
    """(stem, ext) where ext is a short extension with a letter in it (".pdf"), or ''."""
    name = name.rstrip()
    match = _EXT_AT_END.search(name)
    if match and match.start() > 0:
        return name[: match.start()], match.group(0).lower()
    return name, ""


def safe_filename(name: str, *, ext: str = "", default: str = "document") -> str:
    """A file name safe on every OS and in a header; keeps (or adds) the extension."""
    stem, own_ext = split_ext(str(name or ""))
    ext = own_ext or (ext if _EXT.match(ext or "") else "")
    stem = clean_part(stem)
    stem = _truncate_bytes(stem, MAX_NAME_BYTES - len(ext)) or default
    if _WINDOWS_RESERVED.match(stem):
        stem = f"_{stem}"
    return f"{stem}{ext}"


def ascii_fallback(name: str) -> str:
    """The plain `filename=` value: ASCII only, nothing that needs quoting or decoding."""
    stem, ext = split_ext(name)
    decomposed = unicodedata.normalize("NFKD", stem)
    ascii_stem = decomposed.encode("ascii", "ignore").decode("ascii")
    ascii_stem = re.sub(r"[^A-Za-z0-9._() +\-\[\]]", "_", ascii_stem)
    ascii_stem = re.sub(r"_+", "_", re.sub(r"\s+", " ", ascii_stem)).strip(" .")
    if not ascii_stem.strip("_"):
        ascii_stem = "download"
    return f"{ascii_stem}{ext}"


def content_disposition(filename: str, *, attachment: bool = True) -> str:
    """RFC 6266 header value with an ASCII fallback and the UTF-8 name (RFC 5987)."""
    safe = safe_filename(filename)
    kind = "attachment" if attachment else "inline"
    fallback = ascii_fallback(safe)
    if fallback == safe:
        return f'{kind}; filename="{fallback}"'
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(safe, safe='')}"


def file_extension(file: dict[str, Any], stream_filename: str, content_type: str) -> str:
    """The provider's extension, unless the (served) content type says otherwise."""
    own = ""
    for candidate in (file.get("name") or "", stream_filename or ""):
        _, own = split_ext(clean_part(candidate))
        if own:
            break
    ext = content_types.extension(own, content_type)
    return ext if _EXT.match(ext) else ""


def _date(value: datetime | None) -> str:
    return value.date().isoformat() if value else "undated"


def download_filename(
    document, file: dict[str, Any], *, stream_filename: str = "", content_type: str = ""
) -> str:
    """The file name a download gets, from settings.SIGNHUB_DOWNLOAD_FILENAME.

    Placeholders: {date} / {signed_date} (completion date, else creation date), {created_date},
    {title}, {provider} (its label), {account}, {external_id}, {kind}, {name} (the provider's
    file name without extension), {ext} (with the dot). Unknown placeholders fall back to
    the default template rather than failing a download.
    """
    ext = file_extension(file, stream_filename, content_type)
    stem_of_name, _ = split_ext(file.get("name") or stream_filename or "")
    try:
        provider_label = document.account.connector_class.label
    except Exception:  # an unregistered provider still gets a name
        provider_label = document.provider
    when = document.completed_at or document.created_at
    values = {
        "date": _date(when),
        "signed_date": _date(document.completed_at),
        "created_date": _date(document.created_at),
        "title": clean_part(document.title) or clean_part(document.external_id),
        "provider": clean_part(provider_label),
        "account": clean_part(document.account.name),
        "external_id": clean_part(document.external_id),
        "kind": clean_part(FILE_KINDS.get(file.get("kind", ""), file.get("kind", ""))),
        "name": clean_part(stem_of_name),
        "ext": ext,
    }
    template = getattr(settings, "SIGNHUB_DOWNLOAD_FILENAME", DEFAULT_TEMPLATE)
    try:
        name = template.format(**values)
    except (KeyError, IndexError, ValueError):
        name = DEFAULT_TEMPLATE.format(**values)
    stem, own_ext = split_ext(name)
    if ext and own_ext != ext:
        # A template without {ext} ends with whatever the title ends with ("….exe").
        stem, own_ext = name, ext
    suffix = kind_suffix(file.get("kind", ""))
    if suffix and "{kind}" not in template:
        # Only a signed copy may look like one; and two files of one document (the PDF,
        # its audit trail) must not share a name.
        stem = f"{stem} - {suffix}"
    return safe_filename(f"{stem}{own_ext}", ext=ext)


def kind_suffix(kind: str) -> str:
    """What a download's name adds for its kind: nothing for a signed copy, else the kind
    in words ("original (not signed)", "audit trail", "attachment")."""
    if not kind or kind == "signed":
        return ""
    return clean_part(FILE_KINDS.get(kind, kind))
