"""The rows' quick format_html / format_html_join / escape give exactly Django's output."""

from __future__ import annotations

from django.utils import html as django_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from signhub.dashboard import markup

EVIL = '<img src=x onerror="alert(1)">&amp;\'"'


class Marked:
    def __html__(self):
        return "<b>own</b>"


VALUES = [
    EVIL,
    mark_safe(EVIL),
    gettext_lazy("Declined"),
    7,
    None,
    1.5,
    "",
    Marked(),
    ["<x>"],
    SafeString("<i>ok</i>"),
]


def test_format_html_matches_django():
    template = "<a title='{}'>{}</a>"
    for a in VALUES:
        for b in VALUES:
            ours = markup.format_html(template, a, b)
            assert ours == django_html.format_html(template, a, b)
            assert isinstance(ours, SafeString)


def test_format_html_join_and_escape_match_django():
    rows = [(v, EVIL) for v in VALUES]
    for sep in ("", "<br>", mark_safe("<br>")):
        ours = markup.format_html_join(sep, "<span>{}{}</span>", iter(rows))
        assert ours == django_html.format_html_join(sep, "<span>{}{}</span>", iter(rows))
        assert isinstance(ours, SafeString)
    for value in VALUES:
        assert markup.escape(value) == django_html.escape(value)
        assert isinstance(markup.escape(value), SafeString)


def test_the_exact_type_shortcuts_match_django():
    """Text, markup already escaped and integers take the short way; their subclasses and
    lookalikes (bool, a str subclass) still go the general way, with Django's result."""

    class Text(str):
        def __html__(self):
            return "<u>own</u>"

    for value in (EVIL, SafeString(EVIL), -42, 0, True, Text(EVIL), 10**30):
        assert markup.escaped(value) == django_html.conditional_escape(value)
    assert isinstance(markup.safe("<b>"), SafeString) and markup.safe("<b>") == "<b>"
