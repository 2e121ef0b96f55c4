"""Rough edges a new user hit (issue 20): each test failed before its fix."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from signhub.core.index import IndexWriter
from tests.fakes import make_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_document(make_account):
    account = make_account("fake", name="Acme")
    IndexWriter(account, seen_at=timezone.now()).write([make_record(1)])
    return account


def test_the_admin_is_branded_signhub_with_links_back_to_the_dashboard(staff_client):
    page = staff_client.get("/admin/").content.decode()
    assert "Django administration" not in page and "Django site admin" not in page
    assert '<a href="/admin/">signhub administration</a>' in page
    assert "| signhub admin</title>" in page
    assert 'href="/documents/"' in page and 'href="/documents/?view=attention"' in page
    assert 'href="/signatures/"' in page


@override_settings(DEBUG=False)
def test_a_missing_document_is_a_real_page_with_navigation(staff_client):
    response = staff_client.get("/documents/999999/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<title>Not found · signhub</title>" in page
    assert '<nav aria-label="Main">' in page
    assert 'href="/documents/">All documents</a>' in page
    assert "/documents/999999/" in page


def test_the_list_pages_account_panel_gets_no_title_of_its_own(staff_client, one_document):
    response = staff_client.get(
        reverse("dashboard:accounts"), headers={"HX-Request": "true", "HX-Target": "accounts-panel"}
    )
    page = response.content.decode()
    assert "<title>" not in page
    assert "Account status" in page and "Acme" in page
    # The panel swaps in what the server sends, without picking one element out of a page.
    listing = staff_client.get(reverse("dashboard:documents")).content.decode()
    assert 'hx-select="#accounts"' not in listing


def test_one_document_is_one_document(staff_client, one_document):
    page = staff_client.get(reverse("dashboard:documents")).content.decode()
    assert "1 documents" not in " ".join(page.split())
    assert "of 1 document " in " ".join(page.split())


def test_date_inputs_are_iso_like_the_dates_beside_them(staff_client, one_document):
    for url in (reverse("dashboard:documents"), reverse("signatures:list")):
        page = staff_client.get(url).content.decode()
        assert 'type="date"' not in page, url
        assert page.count('placeholder="YYYY-MM-DD"') >= 2, url
    page = staff_client.get(reverse("dashboard:documents") + "?completed_from=2026-03-01").content
    assert b'value="2026-03-01"' in page


def test_no_template_comment_shows_as_text(staff_client, one_document):
    """A multi-line {# #} is not a comment in Django: it was printed above every list."""
    for url in ("/documents/", "/documents/?view=attention", "/documents/?person=x@example.com"):
        page = staff_client.get(url).content.decode()
        assert "{#" not in page and "#}" not in page, url
