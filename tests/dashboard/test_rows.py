"""The table rows rendered in Python: every provider-supplied value escaped, same markup."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from signhub.dashboard.rows import RowRenderer

EVIL = '<img src=x onerror="alert(1)">'


def doc(**overrides):
    fields = {
        "pk": 7,
        "account_id": 1,
        "provider": "box",
        "external_id": "ext-1",
        "title": "Offer letter",
        "status": "completed",
        "provider_status": "COMPLETED",
        "sender_name": "Hana HR",
        "sender_email": "hana@example.com",
        "signers": [{"name": "Maria Lopez", "email": "maria@example.com"}],
        "labels": ["hr"],
        "files": [{"key": "signed", "name": "offer.pdf", "kind": "signed"}],
        "completed_at": datetime(2026, 3, 10, 14, 30, tzinfo=UTC),
        "created_at": None,
        "removed_at": None,
    }
    fields.update(overrides)
    return SimpleNamespace(**fields)


@pytest.fixture
def renderer():
    with timezone.override(ZoneInfo("Europe/Berlin")):
        yield RowRenderer(
            providers={"box": "Box Sign"},
            accounts={1: SimpleNamespace(name="HR Box")},
        )


def test_every_provider_value_is_escaped(renderer):
    html = renderer.render(
        [
            doc(
                title=EVIL,
                external_id=EVIL,
                provider_status=EVIL,
                sender_name=EVIL,
                sender_email=EVIL,
                signers=[{"name": EVIL}],
                labels=[EVIL],
                files=[{"key": '"><x', "name": EVIL, "kind": "signed"}],
                status='x" onmouseover="alert(1)',
            )
        ]
    )
    assert "<img" not in html
    assert 'onmouseover="' not in html and 'onerror="' not in html
    assert html.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;") >= 7
    assert "/documents/7/download/%22%3E%3Cx" in html  # the file key is URL-quoted


def test_a_row_shows_what_reviewers_scan_for(renderer):
    html = renderer.render([doc()])
    cells = re.findall(r'<td data-label="([^"]+)"', html)
    assert cells == ["Title", "Provider", "Status", "Sender", "Signers", "Completed", "Created"] + [
        "Download"
    ]
    assert '<a href="/documents/7/" hx-get="/documents/7/">Offer letter</a>' in html
    assert '<span class="badge provider">Box Sign</span> <span class="acct">HR Box</span>' in html
    assert 'class="status status-completed" title="Provider status: COMPLETED">Completed' in html
    assert 'Hana HR<small class="muted">hana@example.com</small>' in html
    # Berlin is UTC+1 in March: the absolute date, the zone named on hover.
    assert 'title="2026-03-10 15:30:00 CET (Europe/Berlin)">2026-03-10</time>' in html
    assert '<span class="none" aria-label="no date">—</span>' in html  # no created date
    assert 'aria-label="Download signed: offer.pdf of Offer letter">Download signed</a>' in html


def test_many_signers_collapse_and_removed_rows_are_marked(renderer):
    signers = [{"email": f"p{i}@example.com"} for i in range(5)]
    removed = datetime(2026, 4, 1, tzinfo=UTC)
    html = renderer.render([doc(signers=signers, removed_at=removed, files=[], title="")])
    assert "p0@example.com, p1@example.com, p2@example.com" in html
    assert "p3@example.com" not in html and "+2 more" in html
    assert html.startswith('<tr class="removed">') and "removed at provider" in html
    assert "(untitled)" in html and "Download</a>" not in html


def test_the_employee_view_adds_their_part(renderer):
    party = SimpleNamespace(
        role="signer", status="signed", decided_at=datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
    )
    html = renderer.render([doc(person_parties=[party])], person="maria@example.com")
    assert '<td data-label="Their part"><div>Signer · signed · <time' in html
    assert ">2026-03-10 15:30</time>" in html  # the long style: with the time
    assert "Their part" not in renderer.render([doc()])


def test_a_declined_row_says_when_by_whom_and_why_and_offers_the_original(renderer):
    declined = doc(
        status="declined",
        provider_status="declined",
        completed_at=None,
        ended_at=datetime(2026, 1, 7, 9, 0, tzinfo=UTC),
        ended_by="Ann Lee",
        end_reason=EVIL + " and " + "x" * 200,
        files=[
            {"key": "audit", "name": "log.pdf", "kind": "audit"},
            {"key": "doc", "name": "offer.pdf", "kind": "original"},
        ],
    )
    html = renderer.render([declined])
    text = re.sub(r"<[^>]+>", "", html)
    assert "Declined 2026-01-07 by Ann Lee: " in text
    assert EVIL not in html and "&lt;img" in html  # the provider's words, escaped
    assert "…" in text and "x" * 200 not in text  # long reasons cut in the row
    assert '/download/doc"' in html and ">Download original</a>" in html
    assert "Download signed" not in html


class OnlyThese(SimpleNamespace):
    """A document with only some fields loaded: reading any other is an error (a deferred
    field would cost a query per row)."""

    def __getattr__(self, name):
        raise AssertionError(f"the row read {name!r}, which its query does not load")


def expiring_doc(**overrides):
    from signhub.dashboard.attention import EXPIRING_FIELDS

    now = timezone.now()
    fields = {k: v for k, v in doc().__dict__.items() if k in EXPIRING_FIELDS or k == "pk"}
    fields.update(status="in_progress", expires_at=now + timedelta(days=2), files=[])
    fields.update(overrides)
    return OnlyThese(**fields)


def test_expiring_rows_are_compact_escaped_and_read_only_their_fields(renderer):
    html = renderer.render_expiring(
        [
            expiring_doc(),
            expiring_doc(
                pk=8,
                title=EVIL,
                external_id=EVIL,
                labels=[EVIL],
                signers=[{"name": EVIL}],
                files=[{"key": "k", "name": EVIL, "kind": "original"}],
                removed_at=timezone.now(),
            ),
        ]
    )
    first, second = html.split("\n")
    cells = re.findall(r'<td data-label="([^"]+)"', first)
    assert cells == ["Title", "Provider", "Why", "Signers", "Download"]
    assert '<a href="/documents/7/" hx-get="/documents/7/">Offer letter</a>' in first
    why = re.search(r'<td data-label="Why" class="why">(.*?)</td>', first).group(1)
    assert why.startswith('<strong class="why-expiring">Expiring soon</strong>: expires <time')
    assert "in 2 days" in why or "in 1 day" in why
    assert "<img" not in second and second.count("&lt;img src=x") >= 5
    assert second.startswith('<tr class="removed">') and "removed at provider" in second
