"""Template helpers for the dashboard: dates in the viewer's zone, list links, sort headers."""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from signhub.core.connector import FILE_KINDS
from signhub.dashboard import sorting

register = template.Library()


def _as_datetime(value) -> datetime | None:
    """Model datetimes, or the ISO strings stored in the signers JSON."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


_UNITS = [  # (seconds in unit, singular, plural, use below this many seconds)
    (60, "minute", "minutes", 3600),
    (3600, "hour", "hours", 2 * 86400),
    (86400, "day", "days", 60 * 86400),
    (30.44 * 86400, "month", "months", 730 * 86400),
    (365.25 * 86400, "year", "years", float("inf")),
]


@register.filter
def relative(value, now: datetime | None = None) -> str:
    """ "3 minutes ago" / "in 2 days": the largest sensible unit, plain arithmetic.

    (Django's timesince is exact but slow when a page renders 200 dates.)
    """
    moment = _as_datetime(value)
    if moment is None:
        return ""
    seconds = ((now or timezone.now()) - moment).total_seconds()
    span = abs(seconds)
    if span < 60:
        return "just now"
    for size, one, many, limit in _UNITS:
        if span < limit:
            n = int(span // size)
            text = f"{n} {one if n == 1 else many}"
            return f"{text} ago" if seconds > 0 else f"in {text}"
    return ""


def time_html(
    moment: datetime | None, zone, zone_label: str, now: datetime, style="short", rel=True
) -> str:
    """The <time> markup of `when`, for callers that format many dates in one zone
    (`rel=False`: without the relative "3 days ago" after it, for a date in a sentence).

    Digits need no escaping; the zone abbreviation is escaped here and `zone_label` once
    by the caller.
    """
    if moment is None:
        return '<span class="none" aria-label="no date">—</span>'
    local = moment.astimezone(zone)
    stamp = local.isoformat(sep=" ")  # "2026-03-05 14:07:09.123456+01:00"; slicing beats strftime
    full = f"{stamp[:19]} {escape(local.tzname() or '')} ({zone_label})"
    text = stamp[:16] if style == "long" else stamp[:10]
    markup = f'<time datetime="{moment.isoformat()}" title="{full}">{text}</time>'
    if not rel:
        return markup
    return f'{markup} <small class="rel">{relative(moment, now)}</small>'


@register.simple_tag
def when(value, style: str = "short") -> str:
    """<time> in the active (viewer's) zone: absolute text, relative below, full on hover."""
    zone_label = escape(timezone.get_current_timezone_name())
    moment = _as_datetime(value)
    return mark_safe(
        time_html(moment, timezone.get_current_timezone(), zone_label, timezone.now(), style)
    )


@register.filter
def thousands(value: int) -> str:
    return f"{value:,}"


_ROW_FILE_ORDER = ("signed", "original")


@register.filter
def first_file(doc):
    """The file a row's download button offers: the signed copy when there is one, else
    the unsigned original, else the first file."""
    files = doc.files or []
    for kind in _ROW_FILE_ORDER:
        found = next((f for f in files if f.get("kind") == kind), None)
        if found:
            return found
    return files[0] if files else None


def download_label(file: dict) -> str:
    """The row's action in words: "Download signed" only for a signed copy."""
    kind = file.get("kind")
    if kind == "signed":
        return "Download signed"
    if kind in (None, "", "original"):
        return "Download original"
    return f"Download {FILE_KINDS.get(kind, kind)}"


@register.filter
def file_kind(kind: str) -> str:
    """A file kind in words ("original (not signed)")."""
    return FILE_KINDS.get(kind or "", kind or "file")


@register.simple_tag(takes_context=True)
def list_url(context, **changes) -> str:
    """The documents list's URL with `changes` to the current list's query string
    (`DocumentList.query_string`): `{% list_url view="attention" as url %}`."""
    doc_list = context["doc_list"]
    return doc_list.path + doc_list.query_string(**changes)


@register.simple_tag(takes_context=True)
def sort_header(context, name: str, label: str = "") -> str:
    """A sortable <th>: a link that sorts by `name` (its first direction, then the other);
    the HTMX attributes come from the page container. `label` replaces the key's label
    (the Why column sorts by urgency)."""
    current = context["doc_list"].sort
    url = list_url(context, sort=sorting.toggled(current, name))
    aria = sorting.state(current, name)
    arrow = {"descending": "↓", "ascending": "↑"}.get(aria, "")
    return format_html(
        '<th scope="col" aria-sort="{}"><a href="{}" hx-get="{}">{}'
        '<span class="arrow" aria-hidden="true">{}</span></a></th>',
        aria,
        url,
        url,
        label or sorting.SORT_KEYS[name].label,
        arrow,
    )
