"""A download of an old Bitrix24 document re-lists around where its row was last seen
(whereabouts.py), not from offset 0: the oldest of 5,000 documents in at most 3 calls."""

from __future__ import annotations

import pytest
from django.utils import timezone

from signhub.connectors.bitrix24.mapping import METHODS, PERSONAL, to_record
from signhub.connectors.bitrix24.whereabouts import STATE_KEY, PageStarts
from signhub.core.index import IndexWriter
from signhub.core.models import ProviderAccount, SignedDocument
from signhub.core.sync import sync_account

from .conftest import BASE, personal_row

METHOD = METHODS[PERSONAL]
PDF = b"%PDF-1.4 old"


def test_a_full_sync_keeps_where_each_page_started(account, portal):
    account.options = {"lists": "personal"}
    account.save()
    portal.lists[METHOD] = [personal_row(i) for i in range(120, 0, -1)]
    assert sync_account(account, full=True).state == "succeeded"
    account.refresh_from_db()
    assert account.sync_state[STATE_KEY] == {PERSONAL: [[0, 120], [50, 70], [100, 20]]}


@pytest.fixture
def five_thousand(account, portal, rsps):
    """5,000 personal rows at the portal, the state a full sync of them leaves (built
    with the sync's own PageStarts, page by page), and three of them indexed."""
    account.options = {"lists": "personal"}
    portal.lists[METHOD] = [personal_row(i) for i in range(5000, 0, -1)]
    starts = PageStarts()
    for offset in range(0, 5000, 50):
        starts.add(PERSONAL, offset, [str(5000 - offset)])
    starts.save(account.sync_state, PERSONAL)
    account.save()
    wanted = [to_record(str(i), [(PERSONAL, personal_row(i))]) for i in (1, 2500, 4999)]
    IndexWriter(account, seen_at=timezone.now()).write(wanted)
    rsps.get(f"{BASE}/rest/download.json", body=PDF, content_type="application/pdf")
    return ProviderAccount.objects.get(pk=account.pk)


def download(account, portal, doc_id: str) -> list[int]:
    doc = SignedDocument.objects.get(account=account, external_id=doc_id)
    portal.calls.clear()
    stream = account.connector().open_file(doc, "signed")
    assert b"".join(stream.chunks) == PDF
    return portal.offsets(METHOD)


def test_the_oldest_of_5000_in_at_most_3_list_calls(five_thousand, portal):
    assert download(five_thousand, portal, "1") == [4950]
    # 30 documents signed since the last full sync push every row down the list.
    portal.lists[METHOD][:0] = [personal_row(i) for i in range(5030, 5000, -1)]
    assert download(five_thousand, portal, "1") == [4950, 5000]
    assert download(five_thousand, portal, "2500") == [2500]
    assert download(five_thousand, portal, "4999") == [0]


def test_rows_removed_above_move_it_up_and_a_gone_row_is_said_quickly(five_thousand, portal):
    del portal.lists[METHOD][:60]  # the 60 newest removed at the portal
    assert len(download(five_thousand, portal, "1")) <= 3
    del portal.lists[METHOD][-1]  # id 1 itself is gone
    doc = SignedDocument.objects.get(account=five_thousand, external_id="1")
    portal.calls.clear()
    with pytest.raises(Exception, match="no longer lists this document"):
        five_thousand.connector().open_file(doc, "signed")
    assert len(portal.calls) <= 4
