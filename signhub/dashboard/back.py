""" "Back to the documents" links that keep the list's filters.

A download (and its error page) is reached from a filtered list; the way back should land
on the same filters and page. The list's query string travels as `?back=` (or comes from
HTMX's HX-Current-URL, or the Referer): all three are request input, so only a relative
link to the documents list on this site is accepted — no scheme, host, `//`, backslash or
control character — and its query is parsed and re-encoded, so nothing but parameters
survives. Anything else gives the plain list.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.http import HttpRequest
from django.urls import reverse

MAX_BACK = 2000
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")


def list_url() -> str:
    return reverse("dashboard:documents")


def _same_site_path(url: str, request: HttpRequest) -> str:
    """`url` (absolute, as in Referer and HX-Current-URL) as a path, if it is this site."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc != request.get_host():
        return ""
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def safe_list_link(candidate: str) -> str:
    """`candidate` re-encoded if it is a relative link to the list, else ''."""
    if not candidate or len(candidate) > MAX_BACK or _UNSAFE.search(candidate):
        return ""
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc or parts.fragment or parts.path != list_url():
        return ""
    query = urlencode(parse_qsl(parts.query, keep_blank_values=True))
    return f"{parts.path}?{query}" if query else parts.path


def back_link(request: HttpRequest) -> str:
    """The list link to go back to: `?back=`, else where the request came from, else the list."""
    candidates = [request.GET.get("back", "")]
    for header in ("HTTP_HX_CURRENT_URL", "HTTP_REFERER"):
        candidates.append(_same_site_path(request.META.get(header, ""), request))
    for candidate in candidates:
        if link := safe_list_link(candidate):
            return link
    return list_url()


def back_param(link: str) -> str:
    """`back=…` for links leaving the list (downloads), '' when there is nothing to keep."""
    link = safe_list_link(link)
    return urlencode({"back": link}) if link and link != list_url() else ""
