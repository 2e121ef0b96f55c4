"""The signatures list: paging that leaves page 1, counts in words, bounded input."""

from __future__ import annotations

import re

import pytest

from signhub.persist.models import SignatureChain

from .test_viewer import logged_in, make  # noqa: F401 - the fixture is used by name

pytestmark = pytest.mark.django_db


def test_next_and_previous_links_change_the_page(logged_in):  # noqa: F811
    for i in range(30):
        make(document=f"doc-{i:02}")
    first = logged_in.get("/signatures/?document=doc").content.decode()
    assert "??" not in first
    next_link = re.search(r'<a rel="next" href="([^"]+)"', first).group(1)
    assert next_link == "?document=doc&amp;page=2"
    second = logged_in.get("/signatures/" + next_link.replace("&amp;", "&")).content.decode()
    assert "Page 2 of 2" in second and "Showing 26–30 of 30 signature chains" in second
    assert "doc-04" in second and "doc-29" not in second  # newest first: page 2 is the oldest
    previous = re.search(r'<a rel="prev" href="([^"]+)"', second).group(1)
    assert previous == "?document=doc&amp;page=1"
    assert 'hx-get="?document=doc&amp;page=1"' in second


def test_counts_in_words(logged_in):  # noqa: F811
    assert "No signature chains" in logged_in.get("/signatures/").content.decode()
    make()
    html = logged_in.get("/signatures/").content.decode()
    assert "1 signature chain<" in html and "0–0" not in html and 'rel="next"' not in html
    make(document="doc_2")
    assert "2 signature chains" in logged_in.get("/signatures/").content.decode()


def test_dates_out_of_range_are_form_errors_not_500s(logged_in):  # noqa: F811
    make()
    for query in ("date_to=9999-12-31", "date_from=0001-01-01", "date_from=9999-12-31"):
        r = logged_in.get(f"/signatures/?{query}")
        assert r.status_code == 200, query
    assert b'role="alert"' in logged_in.get("/signatures/?date_from=0001-01-01").content


def test_ids_beyond_64_bits_are_404_or_a_form_error(logged_in):  # noqa: F811
    sig = make()
    huge = 2**64
    assert logged_in.get(f"/signatures/{huge}/").status_code == 404
    assert logged_in.get(f"/signatures/{huge}/download/").status_code == 404
    assert logged_in.get(f"/signatures/compare/?a={sig.pk}&b={huge}").status_code == 400


def test_trashed_chains_leave_the_viewer(logged_in):  # noqa: F811
    from django.utils import timezone

    sig = make(document="gone-doc")
    SignatureChain.objects.update(deleted_at=timezone.now())
    assert b"gone-doc" not in logged_in.get("/signatures/").content
    assert logged_in.get(f"/signatures/{sig.pk}/").status_code == 404
