"""Reading provider JSON defensively: any key may be missing, null or of another type.

Connectors parse raw JSON rather than trusting an SDK's models, so these few readers are
the vocabulary every mapping uses. Dates are `signhub.core.dates.to_utc`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

TRUE_WORDS = frozenset({"true", "1", "yes", "on", "y"})
FALSE_WORDS = frozenset({"false", "0", "no", "off", "n"})


def as_dict(value: Any) -> dict[str, Any]:
    """`value` when it is a JSON object, else {}."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """`value` when it is a JSON array, else []."""
    return value if isinstance(value, list) else []


def dicts(value: Any) -> list[dict[str, Any]]:
    """The objects of an array; a lone object counts as an array of one (APIs vary)."""
    if isinstance(value, dict):
        return [value]
    return [item for item in as_list(value) if isinstance(item, dict)]


def as_text(value: Any) -> str:
    """A string as sent; "" for null; anything else in its `str()` form."""
    if isinstance(value, str):
        return value
    return "" if value is None else str(value)


def as_int(value: Any) -> int | None:
    """An integer from a number or a digit string (floats truncated); None otherwise.

    Booleans are not numbers here: JSON `true` is never an id or a count.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value == value and abs(value) != float("inf") else None
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("+-").isdigit():
            return int(text)
    return None


def split_list(value: Any, *, separators: str = ",", lower: bool = False) -> list[str]:
    """A comma list (or a JSON array) → its non-empty items, stripped, each once, in order."""
    if isinstance(value, str):
        for separator in separators[1:]:
            value = value.replace(separator, separators[0])
        items: Iterable[Any] = value.split(separators[0])
    elif isinstance(value, list | tuple):
        items = value
    else:
        items = ()
    out: list[str] = []
    for item in items:
        word = as_text(item).strip()
        if lower:
            word = word.lower()
        if word and word not in out:
            out.append(word)
    return out


def parse_bool(value: Any, default: bool) -> bool | None:
    """True/False from a bool or a word; `default` when absent; None when unreadable."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None
