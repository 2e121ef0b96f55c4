"""The "finished" date axis and the detail's end facts (ended_at, reason, who)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from signhub.core.status import DocumentStatus

from .conftest import index, make_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended(accounts):
    a, _ = accounts
    index(
        a,
        [
            make_record(
                1,
                title="Declined in January",
                status=DocumentStatus.DECLINED,
                completed_at=None,
                ended_at=datetime(2026, 1, 7, 9, tzinfo=UTC),
                ended_by="Ann Lee",
                end_reason="Wrong salary",
            ),
            make_record(
                2,
                title="Expired in March",
                status=DocumentStatus.EXPIRED,
                completed_at=None,
                ended_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
            ),
            make_record(
                3, title="Signed in January", completed_at=datetime(2026, 1, 8, tzinfo=UTC)
            ),
        ],
    )
    return a


def titles(response) -> list[str]:
    return [d.title for d in response.context["page"].rows]


def test_the_finished_axis_filters_on_when_a_document_ended(client, superuser, ended):
    client.force_login(superuser)
    january = {"finished_from": "2026-01-01", "finished_to": "2026-01-31"}
    assert titles(client.get("/documents/", january)) == ["Declined in January"]
    response = client.get("/documents/", {"finished_from": "2026-02-01"})
    assert titles(response) == ["Expired in March"]
    bad = client.get("/documents/", {"finished_from": "2026-02-01", "finished_to": "2026-01-01"})
    assert bad.status_code == 200 and "The end date is before the start date." in bad.text


def test_the_detail_shows_the_reason_who_and_when(client, superuser, ended):
    client.force_login(superuser)
    doc = ended.documents.get(external_id="doc-1")
    html = client.get(f"/documents/{doc.pk}/").text
    assert 'id="end-reason"' in html and "by Ann Lee" in html and "Wrong salary" in html
