"""The natural sort key of a title: "policy 9, 10, 16, 100" in that order on every database.

Stored at ingest (`SignedDocument.title_sort`, indexed with the id) so the list sorts by an
index range scan; computed here only, for every path that writes a title.

Why a stored key rather than ORDER BY title: text order puts "policy 100" before
"policy 16", and each database (and each PostgreSQL collation) orders case, accents and
punctuation its own way. The key is case-folded, accents dropped, each run of digits
written as its length and the digits without leading zeros ("16" → "0216", "100" →
"03100"), so plain code-point order is natural order. Both databases compare it as bytes
(SQLite's BINARY; the column is COLLATE "C" on PostgreSQL, migration core 0011).
"""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 200  # the key's prefix that is stored (a btree entry stays small)
_DIGITS = re.compile(r"[0-9]+")
_SPACES = re.compile(r"\s+")


def _number(match: re.Match) -> str:
    digits = match.group().lstrip("0")[:99]  # no title has a 100-digit number
    return f"{len(digits):02d}{digits}"


def natural_key(title: str | None) -> str:
    text = title or ""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = _SPACES.sub(" ", text.casefold()).strip()
    return _DIGITS.sub(_number, text)[:MAX_LENGTH]
