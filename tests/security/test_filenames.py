"""Download names are hostile input: no paths, no header injection, bounded, extension kept."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from signhub.downloads.filenames import ascii_fallback, content_disposition, safe_filename

HEADER = re.compile(
    r'^attachment; filename="([ -~]*)"(?:; filename\*=UTF-8\'\'([A-Za-z0-9%._~!$&*+^`|-]*))?$'
)


def parse(header: str) -> tuple[str, str]:
    match = HEADER.match(header)
    assert match, header
    fallback, encoded = match.groups()
    return fallback, unquote(encoded) if encoded else fallback


@pytest.mark.parametrize(
    "name",
    [
        'He said "sign here".pdf',
        "line\r\nSet-Cookie: session=evil.pdf",
        "../../etc/passwd.pdf",
        "C:\\Windows\\system32\\evil.pdf",
        "Vertrag Müller 😀✍️.pdf",
        "x" * 300 + ".pdf",
        "ü" * 300 + ".pdf",
        "tab\tnull\x00bell\x07.pdf",
        "invoice\u202efdp.exe",
        "semi;colon, comma='quote'.pdf",
        "%2e%2e%2fescaped.pdf",
        "",
        "..",
    ],
)
def test_names_are_safe_in_every_form(name):
    header = content_disposition(name)
    assert "\r" not in header and "\n" not in header and "\x00" not in header
    fallback, full = parse(header)
    for value in (fallback, full):
        assert "/" not in value and "\\" not in value and '"' not in value
        assert not any(ord(c) < 32 or c in "\u202e\u202d\u2066" for c in value)
        assert value and not value.startswith(".")
        assert len(value.encode("utf-8")) <= 180
    assert all(ord(c) < 128 for c in fallback)


def test_long_names_keep_their_extension():
    name = safe_filename("Überweisung " * 40 + ".pdf")
    assert name.endswith(".pdf")
    assert len(name.encode()) <= 180


def test_unicode_survives_in_the_rfc5987_form():
    fallback, full = parse(content_disposition("Vertrag Müller 😀.pdf"))
    assert full == "Vertrag Müller 😀.pdf"
    assert fallback == "Vertrag Muller.pdf"


def test_plain_ascii_names_have_no_star_form():
    assert content_disposition("contract.pdf") == 'attachment; filename="contract.pdf"'


def test_quotes_and_newlines_cannot_break_out_of_the_header():
    fallback, full = parse(content_disposition('a"; filename="evil.exe\r\nX: y.pdf'))
    assert full.endswith(".pdf") and fallback.endswith(".pdf")
    assert "evil.exe" in full  # kept as text, harmlessly inside the name


def test_an_extension_is_added_when_missing():
    assert safe_filename("contract", ext=".pdf") == "contract.pdf"
    assert safe_filename("contract v1.2", ext=".pdf") == "contract v1.2.pdf"


def test_reserved_windows_names_are_defused():
    assert safe_filename("CON.pdf") == "_CON.pdf"


def test_emoji_only_names_get_a_readable_fallback():
    assert ascii_fallback("😀😀.pdf") == "download.pdf"
