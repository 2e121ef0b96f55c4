"""Spreadsheet-safe CSV cells (CSV injection), one rule for every CSV signhub writes.

Excel, LibreOffice and Google Sheets run a cell as a formula when it starts with `=`, `+`,
`-` or `@` — also after leading spaces, and some importers strip tabs and line breaks
first, or split a cell on its separator. Titles, names and labels are typed by outsiders,
so every such cell, and every element of a joined list ("a; =SUM(A1); b"), gets a leading
`'`, which spreadsheets show as text (OWASP "CSV Injection").
"""

from __future__ import annotations

from collections.abc import Iterable

# Full-width forms too: some spreadsheet locales read "＝1+1" as a formula.
FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
# Starting a cell with these lets an importer strip them and find a formula behind.
_LEADING_CONTROLS = frozenset("\t\r\n")


def guard(text: str) -> str:
    """`text`, prefixed with ' when a spreadsheet could take it for a formula."""
    if text[:1] in _LEADING_CONTROLS or text.lstrip()[:1] in FORMULA_STARTS:
        return "'" + text
    return text


def safe_cell(value, joiner: str = "; ") -> str:
    """One cell: None → "", a list → its guarded elements joined, anything else guarded."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return joiner.join(guard(str(v)) for v in value if v is not None)
    return guard(str(value))


def safe_row(values: Iterable) -> list[str]:
    return [safe_cell(v) for v in values]
