"""The rows of the documents table, rendered in Python with `format_html`.

Why not a template: with 100 rows the template engine resolves and escapes ~3,000
variables, which cost more than all the page's queries together (about 40 ms of an
85 ms page on a 1M-document index). `format_html` escapes every value it is given, so no
value can be forgotten, at a few microseconds per cell; the Django admin builds its
changelist rows the same way (`markup.py`: Django's `format_html` rules without its
per-call overhead). URLs come from `reverse()`, resolved once per page (a
reverse per row would cost more than the row). `tests/dashboard/test_rows.py` checks the
markup and the escaping.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from signhub.core.models import DocumentParty
from signhub.core.status import ENDED_STATUSES, DocumentStatus

from .attention import reason_html
from .markup import escape, format_html, format_html_join, safe
from .templatetags.dashboard import download_label, first_file, time_html

MAX_SIGNERS = 3  # names shown in the row; the rest as "+N more"
MAX_LABELS = 4
MAX_REASON = 120  # characters of an end reason in the row; the detail has it whole
ROLE_LABELS = dict(DocumentParty.Role.choices)
STATUS_LABELS = dict(DocumentStatus.choices)
_NONE = mark_safe("—")
_EMPTY = mark_safe("")
_REMOVED_ROW = mark_safe(' class="removed"')
_REMOVED_BADGE = mark_safe(' <span class="badge removed-badge">removed at provider</span>')
_TITLE_CELL = (
    '<td data-label="Title" class="title"><a href="{}" hx-get="{}">{}</a> '
    '<small class="muted ext">{}</small>{}{}</td>'
)
_PROVIDER_CELL = '<td data-label="Provider"><span class="badge provider">{}</span> <span class="acct">{}</span></td>'
_ROW = (
    "<tr{}>{}" + _TITLE_CELL + _PROVIDER_CELL + '<td data-label="Status">{}</td>{}'
    '<td data-label="Sender">{}</td>'
    '<td data-label="Signers" class="signers">{}</td>{}'
    '<td data-label="Completed">{}</td>'
    '<td data-label="Created">{}</td>'
    '<td data-label="Download" class="actions">{}</td>'
    "</tr>"
)
# Expiring soon (needs attention's group): in progress, nothing completed yet, so no status,
# completed or created column; the Why cell says when it expires.
_EXPIRING_ROW = (
    "<tr{}>" + _TITLE_CELL + _PROVIDER_CELL + '<td data-label="Why" class="why">{}</td>'
    '<td data-label="Signers" class="signers">{}</td>'
    '<td data-label="Download" class="actions">{}</td>'
    "</tr>"
)


class UrlPattern:
    """One `reverse()` for many rows: the URL of sentinel arguments, split where they
    stand, then joined with each row's (quoted) values."""

    SENTINELS = ("73501", "73502")

    def __init__(self, name: str, n_args: int) -> None:
        url = reverse(name, args=self.SENTINELS[:n_args])
        if any(url.count(s) != 1 for s in self.SENTINELS[:n_args]):
            raise ValueError(f"{name}: cannot place the arguments in {url}")
        self.parts = [url]
        for sentinel in self.SENTINELS[:n_args]:
            head, _, tail = self.parts.pop().partition(sentinel)
            self.parts += [head, tail]

    def __call__(self, *args) -> str:
        pieces = [self.parts[0]]
        for arg, part in zip(args, self.parts[1:], strict=True):
            pieces += (quote(str(arg), safe=""), part)
        return "".join(pieces)


class RowRenderer:
    """Formats many rows in one zone: the zone, its label, "now" and the URLs once."""

    def __init__(
        self,
        providers: dict[str, str],
        accounts: dict[int, object],
        back: str = "",
    ):
        self.back = f"?{back}" if back else ""  # download links keep the list's filters
        self.providers = providers
        self.accounts = accounts
        self.zone = timezone.get_current_timezone()
        self.zone_label = escape(timezone.get_current_timezone_name())
        self.now = timezone.now()
        self.detail_url = UrlPattern("dashboard:detail", 1)
        self.download_url = UrlPattern("downloads:file", 2)

    def time(self, moment: datetime | None, style: str = "short", rel: bool = True) -> SafeString:
        return safe(time_html(moment, self.zone, self.zone_label, self.now, style, rel))

    def render(
        self, rows: list, person: str = "", why: bool = False, select: bool = False
    ) -> SafeString:
        """`why`: the needs-attention column saying when, who and why; `select`: a checkbox
        per row for the bulk actions (form "bulk")."""
        # Each row is safe already (format_html escaped its values): joining keeps it so.
        return safe("\n".join(self.row(doc, person, why, select) for doc in rows))

    def render_expiring(self, rows: list) -> SafeString:
        """Needs attention's expiring-soon group: compact rows of the EXPIRING_FIELDS."""
        return safe("\n".join(self.expiring_row(doc) for doc in rows))

    def expiring_row(self, doc) -> SafeString:
        url = self.detail_url(doc.pk)
        return format_html(
            _EXPIRING_ROW,
            _REMOVED_ROW if doc.removed_at is not None else _EMPTY,
            *self._title_args(doc, url),
            self.providers.get(doc.provider, doc.provider),
            getattr(self.accounts.get(doc.account_id), "name", ""),
            reason_html(doc, self.now, self.time),
            self._signers(doc),
            self._download(doc),
        )

    def _title_args(self, doc, url: str) -> tuple:
        """The title cell's values: link, title, provider id, removed badge, labels."""
        labels = format_html_join(
            "",
            '<span class="label">{}</span>',
            ((label,) for label in (doc.labels or [])[:MAX_LABELS]),
        )
        badge = _REMOVED_BADGE if doc.removed_at is not None else _EMPTY
        return url, url, doc.title or "(untitled)", doc.external_id, badge, labels

    def row(self, doc, person: str, why: bool = False, select: bool = False) -> SafeString:
        """One <tr> in one format_html call: every provider value is an argument, escaped
        by it (one call per row, not per cell: that is what keeps 100 rows at ~3 ms)."""
        removed = doc.removed_at is not None
        url = self.detail_url(doc.pk)
        optional = _EMPTY
        if why:
            reason = reason_html(doc, self.now, self.time)  # safe: built with format_html
            optional = format_html('<td data-label="Why" class="why">{}</td>', reason)
        checkbox = _EMPTY
        if select:  # a checkbox of the list's bulk form (static/js/bulk.js)
            checkbox = format_html(
                '<td data-label="Select" class="select"><input type="checkbox" name="ids" '
                'value="{}" form="bulk" aria-label="Select {}"></td>',
                doc.pk,
                doc.title or "(untitled)",
            )
        their = _EMPTY
        if person:
            their = format_html('<td data-label="Their part">{}</td>', self._their_part(doc))
        return format_html(
            _ROW,
            _REMOVED_ROW if removed else _EMPTY,
            checkbox,
            *self._title_args(doc, url),
            self.providers.get(doc.provider, doc.provider),
            getattr(self.accounts.get(doc.account_id), "name", ""),
            # Needs attention: the badge alone; the Why cell says when, who and why.
            self._status(doc, brief=why),
            optional,
            self._sender(doc),
            self._signers(doc),
            their,
            self.time(doc.completed_at),
            self.time(doc.created_at),
            self._download(doc),
        )

    def _status(self, doc, brief: bool = False) -> SafeString:
        """The status, and for a document that ended without completing when, by whom
        and why: "Declined 2026-01-07 by Ann Lee: Wrong salary"."""
        status = format_html(
            '<span class="status status-{}" title="Provider status: {}">{}</span>',
            doc.status,
            doc.provider_status or "—",
            STATUS_LABELS.get(doc.status, doc.status),
        )
        if brief or doc.status not in ENDED_STATUSES:
            return status
        words = []
        if doc.ended_at:
            words.append(format_html(" {}", self.time(doc.ended_at, rel=False)))
        if doc.ended_by:
            words.append(format_html(" by {}", doc.ended_by))
        reason = (doc.end_reason or "").strip()
        if reason:
            shown = reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 1] + "…"
            words.append(format_html(': <span class="reason" title="{}">{}</span>', reason, shown))
        if not words:
            return status
        return format_html('{}<span class="ended">{}</span>', status, safe("".join(words)))

    @staticmethod
    def _sender(doc) -> SafeString:
        if doc.sender_name and doc.sender_email:
            return format_html(
                '{}<small class="muted">{}</small>', doc.sender_name, doc.sender_email
            )
        return escape(doc.sender_name or doc.sender_email or "—")

    @staticmethod
    def _signers(doc) -> SafeString:
        signers = doc.signers or []
        names = [s.get("name") or s.get("email") or "?" for s in signers[:MAX_SIGNERS]]
        if not names:
            return _NONE
        more = len(signers) - MAX_SIGNERS
        if more > 0:
            return format_html(
                '{} <span class="more-count">+{} more</span>', ", ".join(names), more
            )
        return escape(", ".join(names))

    def _their_part(self, doc) -> SafeString:
        parts = []
        for party in getattr(doc, "person_parties", []):
            pieces = [escape(ROLE_LABELS.get(party.role, party.role))]
            if party.status:
                pieces.append(escape(party.status))
            if party.decided_at:
                pieces.append(self.time(party.decided_at, "long"))
            parts.append((safe(" · ".join(pieces)),))
        return format_html_join("", "<div>{}</div>", parts) or _NONE

    def _download(self, doc) -> SafeString:
        file = first_file(doc)
        if not file:
            return _EMPTY
        label = download_label(file)
        return format_html(
            '<a class="btn small" href="{}" aria-label="{}: {} of {}">{}</a>',
            self.download_url(doc.pk, file["key"]) + self.back,
            label,
            file.get("name") or "file",
            doc.title or "",
            label,
        )
