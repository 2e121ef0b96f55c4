"""A declined document in a real browser: the row says when, by whom and why, and offers
the original (not a signed copy); the detail shows the reason and the signer's attachment."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from signhub.core.connector import FileRecord
from signhub.core.index import IndexWriter
from signhub.core.models import ProviderAccount
from signhub.core.status import DocumentStatus
from tests.fakes import make_record

from .test_journeys import login, real_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def declined(transactional_db):
    group = Group.objects.create(name="hr")
    account = ProviderAccount.objects.create(
        name="Acme Box", provider="fake", base_url="https://fake.example.com"
    )
    account.visible_to.add(group)
    record = make_record(
        1,
        title="Offer letter Ann",
        status=DocumentStatus.DECLINED,
        provider_status="declined",
        completed_at=None,
        ended_at=datetime(2026, 1, 7, 10, 30, tzinfo=UTC),
        ended_by="Ann Lee",
        end_reason="The start date is wrong",
        files=[
            FileRecord(key="doc", name="offer.pdf", kind="original"),
            FileRecord(key="attachment-9", name="ID card.pdf", kind="attachment"),
        ],
    )
    signed = make_record(2, files=[FileRecord(key="signed", name="c.pdf", kind="signed")])
    IndexWriter(account, seen_at=timezone.now()).write([record, signed])
    user = User.objects.create_user("alice", "alice@example.com", "correct horse battery")
    user.groups.add(group)
    return account


def test_a_declined_row_and_its_detail_say_what_happened(page, live_server, declined):
    login(page, live_server)
    row = page.locator("tr", has_text="Offer letter Ann")
    status = re.sub(r"\s+", " ", row.locator("td[data-label=Status]").inner_text()).strip()
    assert status == "Declined 2026-01-07 by Ann Lee: The start date is wrong"
    action = row.locator("td.actions a")
    assert action.inner_text() == "Download original"
    assert page.locator("tr", has_text="Contract 2").locator("td.actions a").inner_text() == (
        "Download signed"
    )

    row.get_by_role("link", name="Offer letter Ann", exact=True).click()
    detail = page.locator("#end-reason")
    detail.wait_for()
    assert "by Ann Lee" in detail.inner_text() and "The start date is wrong" in detail.inner_text()
    files = page.locator("ul.files li")
    assert files.count() == 2
    assert "original (not signed)" in files.nth(0).inner_text()
    assert "ID card.pdf" in files.nth(1).inner_text() and "attachment" in files.nth(1).inner_text()
    assert real_errors(page) == []
