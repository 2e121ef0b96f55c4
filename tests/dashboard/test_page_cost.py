"""Budgets for the list page's own Python (issue 21: the list got 1.4x slower in Python).

Each guards a cost that was cut and could silently come back: a `reverse()` per link to
the list, Django's widget templates for the filter form, Django's `format_html` per cell.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.forms.renderers import DjangoTemplates
from django.urls.resolvers import URLResolver
from django.utils import html as django_html
from django.utils import timezone

from signhub.core.status import DocumentStatus

from .conftest import index, make_record

PAGES = [
    ({}, {}),
    ({"view": "attention"}, {}),
    ({"created": "this_year", "q": "offer"}, {}),
    ({}, {"HX-Request": "true", "HX-Target": "results"}),
]


@pytest.fixture
def listed(accounts):
    """A full first page with a next page (every pager link and sort header is drawn),
    in the list and in needs attention (declined, some expiring soon)."""
    now = timezone.now()
    declined = {"status": DocumentStatus.DECLINED, "completed_at": None}
    expiring = {"status": DocumentStatus.IN_PROGRESS, "completed_at": None}
    index(
        accounts[0],
        [
            make_record(
                i, title=f"Offer {i}", last_activity_at=now - timedelta(hours=i), **declined
            )
            for i in range(30)
        ]
        + [make_record(100 + i, expires_at=now + timedelta(days=2), **expiring) for i in range(3)],
    )


def counting(monkeypatch, owner, name: str) -> list:
    calls = []
    original = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


@pytest.mark.parametrize(("params", "headers"), PAGES)
def test_reverse_is_not_called_per_link(listed, admin_client, monkeypatch, params, headers):
    """The dozen links to the list itself (tabs, sort headers, pager) share one
    `reverse()`, the rows one per URL pattern (per table: needs attention has two), the
    bulk bar one for its two export links. The rest are the page's other links."""
    calls = counting(monkeypatch, URLResolver, "_reverse_with_prefix")
    response = admin_client.get("/documents/", params, headers=headers)
    assert response.status_code == 200
    assert 'rel="next"' in response.content.decode()
    # 25-28 when every list link made its own (13 for the swap); now 7-18.
    assert len(calls) <= 18, [c[1] for c in calls]


@pytest.mark.parametrize(("params", "headers"), PAGES)
def test_no_widget_template_and_no_django_format_html(
    listed, admin_client, monkeypatch, params, headers
):
    """The filter form's widgets are written in Python (`widget_html.py`) and the rows'
    markup through `markup.py`: neither Django's widget templates nor its `format_html`."""
    templates = counting(monkeypatch, DjangoTemplates, "render")
    formats = counting(monkeypatch, django_html, "format_html")
    response = admin_client.get("/documents/", params, headers=headers)
    assert response.status_code == 200
    assert 'name="completed_from"' in response.content.decode() or headers
    assert templates == []
    assert len(formats) <= 10  # sort headers; not one per row or cell


def test_the_swapped_results_link_to_the_list(listed, admin_client):
    """The HTMX results swap renders the partial alone: its "remove filter" chips and
    "Clear all" link to the list, not to "" (the current, filtered URL)."""
    swap = {"HX-Request": "true", "HX-Target": "results"}
    html = admin_client.get("/documents/", {"q": "offer"}, headers=swap).content.decode()
    assert '<a class="clear" href="/documents/" hx-get="/documents/">Clear all</a>' in html
    assert 'class="chip removable" href="/documents/" hx-get="/documents/"' in html
    assert 'href=""' not in html and 'hx-get=""' not in html


@pytest.mark.parametrize(("params", "headers"), PAGES)
def test_one_filter_form_per_page(listed, admin_client, monkeypatch, params, headers):
    """The query string is validated once a page: needs attention's expiring-soon group
    reuses the list's filters (`DocumentList.base_in_view`) instead of a second list
    object with its own form (~3,500 calls)."""
    from signhub.dashboard.forms import DocumentFilterForm

    forms = counting(monkeypatch, DocumentFilterForm, "full_clean")
    response = admin_client.get("/documents/", params, headers=headers)
    assert response.status_code == 200
    if params.get("view") == "attention":
        assert "expiring-group" in response.content.decode()
    assert len(forms) == 1
