"""Provider text made safe for the index, the same on SQLite and PostgreSQL.

PostgreSQL refuses NUL in `text` and `\\u0000` in `jsonb`, and neither database can store a
lone UTF-16 surrogate (UTF-8 cannot encode one). Provider data can carry all three, so:

- indexed text (titles, names, emails, statuses, labels, file names, signer fields): NUL and
  the other C0 control characters except tab and line feed are removed (CR LF and CR become
  LF), lone surrogates become U+FFFD;
- the raw payload keeps every other character (JSON escapes controls), only NUL and lone
  surrogates become U+FFFD, in keys and values alike — visible, and valid in jsonb;
- numbers JSON cannot hold (NaN, infinities, which Python's JSON reader accepts) become null.

`IndexWriter` takes a fast path for clean documents (one substring check on the JSON it
makes anyway) and calls `clean_record` only for the rare dirty one.
"""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Any

from .connector import DocumentRecord, FileRecord, SignerRecord

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f]")


def clean_text(value: str) -> str:
    """Indexed text: no C0 controls but tab and LF, no lone surrogates."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _SURROGATE.sub(REPLACEMENT, _CONTROL.sub("", value))


def clean_raw_text(value: str) -> str:
    """Raw payload text: NUL and lone surrogates replaced, everything else kept."""
    return _SURROGATE.sub(REPLACEMENT, value.replace("\x00", REPLACEMENT))


def clean_json(value: Any, clean=clean_text) -> Any:
    """`value` (JSON-like) with every string, keys included, passed through `clean`."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {
            (clean(k) if isinstance(k, str) else k): clean_json(v, clean) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [clean_json(v, clean) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _clean_fields(obj, skip: tuple[str, ...] = ()):
    changes = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if f.name not in skip and isinstance(value, str):
            changes[f.name] = clean_text(value)
    return dataclasses.replace(obj, **changes)


def clean_record(record: DocumentRecord) -> DocumentRecord:
    """A copy of `record` whose text is safe to index (see the module docstring)."""
    return dataclasses.replace(
        _clean_fields(record),
        signers=[_clean_fields(s) if isinstance(s, SignerRecord) else s for s in record.signers],
        labels=[clean_text(label) if isinstance(label, str) else label for label in record.labels],
        files=[
            dataclasses.replace(_clean_fields(f), handle=clean_json(f.handle))
            if isinstance(f, FileRecord)
            else f
            for f in record.files
        ],
        raw=clean_json(record.raw, clean_raw_text),
    )
