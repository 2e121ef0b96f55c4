"""Provider timestamps: every format connectors meet, one parser."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from signhub.core.dates import to_utc

T = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-02T03:04:05Z", T),
        ("2026-01-02T03:04:05z", T),
        ("2026-01-02T05:04:05+02:00", T),
        ("2026-01-02 03:04:05", T),  # naive = UTC
        ("  2026-01-02T03:04:05.000Z ", T),
        ("2026-01-02T03:04:05.1234567Z", T.replace(microsecond=123456)),
        ("2026-01-02T03:04:05.12Z", T.replace(microsecond=120000)),
        (1767323045, T),
        (1767323045000, T),  # milliseconds
        ("1767323045", T),
        ("1767323045.0", T),
        (T.astimezone(timezone(timedelta(hours=-5))), T),
    ],
)
def test_formats(value, expected):
    result = to_utc(value)
    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize("value", [None, "", 0, "not a date", ".5", "2026-13-45", [], "²"])
def test_unparsable_values_give_none(value):
    assert to_utc(value) is None


def test_naive_values_take_the_given_zone():
    assert to_utc("2026-01-02 04:04:05", naive_tz=timezone(timedelta(hours=1))) == T
