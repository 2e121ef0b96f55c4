"""Hypothesis strategies for hostile input, shared by the fuzz tests (Persist API, list).

Lone surrogates (Cs), NUL and other controls (Cc), numbers far beyond 64 bits, dates at and
past datetime's range and deep JSON: each of these reached a database or a parser and
answered 500 once (issue 15, finding 5). Fuzz settings are derandomized, so CI runs the
same examples every time and a failure reproduces.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

hostile_text = st.text(
    alphabet=st.characters(codec=None, categories=["Cs", "Cc", "Lu", "Nd"]), max_size=12
)
huge_numbers = st.integers(-(2**70), 2**70) | st.sampled_from([2**63, 2**64, -(2**63) - 1, 10**40])
edge_strings = st.sampled_from(
    ["\ud800", "a\x00b", "\udfff\ud800", "9" * 30, "<x>\ud800</x>", "\x00", "%00", "\ufeff"]
)
edge_dates = st.sampled_from(
    [
        "9999-12-31T23:59:59-12:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31",
        "0001-01-01",
        "2026-02-30",
        "2026-01-01T00:00:00",
        "2026-01-01T00:00:00+25:00",
        "-1-01-01",
    ]
)


def deep_json(min_depth: int = 20, max_depth: int = 5000):
    return st.integers(min_depth, max_depth).flatmap(
        lambda n: st.sampled_from(
            [b"[" * n, b'{"a":' * n, b"[" * n + b"]" * n, b'{"document":' * n]
        )
    )


def fuzz_settings(max_examples: int):
    """Bounded, reproducible runs (fixed examples), sharing one database across examples."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
