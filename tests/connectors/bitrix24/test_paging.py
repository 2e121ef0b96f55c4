"""Paging to the true end (an empty page), dedupe across lists, incremental stop."""

import json

import pytest

from signhub.core.models import SignedDocument
from signhub.core.sync import sync_account

from .conftest import personal_row, safe_row

PERSONAL = "sign.b2e.personal.tail"
SAFE = "sign.b2e.mysafe.tail"


def test_full_sync_walks_every_page_until_an_empty_one(account, portal):
    portal.lists[SAFE] = [safe_row(i) for i in range(120, 13, -1)]  # 107 rows
    portal.lists[PERSONAL] = [personal_row(i) for i in (120, 100, 14)]

    run = sync_account(account, full=True)

    assert run.state == "succeeded", run.error_message
    assert portal.offsets(SAFE) == [0, 50, 100, 107]
    assert portal.offsets(PERSONAL) == [0, 3]
    assert SignedDocument.objects.filter(account=account).count() == 107
    assert all(body["limit"] == 50 and body["auth"] == "AT1" for _, body in portal.calls)


def test_a_clamped_limit_still_reaches_the_end(account, rsps):
    from .conftest import FakePortal

    portal = FakePortal(rsps, max_limit=10)  # the server turns our 50 into 20
    portal.lists[SAFE] = [safe_row(i) for i in range(65, 0, -1)]
    account.options = {"lists": "mysafe"}
    account.save()

    run = sync_account(account, full=True)

    assert run.state == "succeeded", run.error_message
    assert portal.offsets(SAFE) == [0, 20, 40, 60, 65]
    assert SignedDocument.objects.filter(account=account).count() == 65


def test_documents_in_both_lists_are_indexed_once_with_the_richer_row(account, portal):
    portal.lists[SAFE] = [safe_row(59, folderName="Employment contracts", creator_id=19)]
    portal.lists[PERSONAL] = [personal_row(59), personal_row(3)]

    sync_account(account, full=True)

    docs = {d.external_id: d for d in SignedDocument.objects.filter(account=account)}
    assert sorted(docs) == ["3", "59"]
    assert docs["59"].labels == ["Employment contracts"]
    assert docs["59"].sender_name == "Name19 Last19"  # user.get
    assert docs["59"].raw["list"] == "mysafe"
    assert docs["59"].files[0]["handle"] == {"list": "mysafe", "id": 59}
    assert docs["3"].raw["list"] == "personal"
    assert docs["3"].files[0]["handle"] == {"list": "personal", "id": 3}


def test_a_repeated_full_sync_rewrites_nothing(account, portal):
    portal.lists[SAFE] = [safe_row(i) for i in range(30, 0, -1)]
    portal.lists[PERSONAL] = [personal_row(i) for i in range(30, 0, -3)]
    first = sync_account(account, full=True)
    assert (first.created, first.updated) == (30, 0)

    again = sync_account(account, full=True)

    assert (again.created, again.updated, again.removed) == (0, 0, 0)


def test_incremental_sync_stops_after_a_page_of_known_ids(account, portal):
    portal.lists[SAFE] = [safe_row(i) for i in range(200, 100, -1)]
    portal.lists[PERSONAL] = [personal_row(i) for i in range(200, 150, -1)]
    assert sync_account(account, full=True).state == "succeeded"
    portal.calls.clear()

    portal.lists[SAFE] = [safe_row(i) for i in (203, 202, 201)] + portal.lists[SAFE]
    portal.lists[PERSONAL] = [personal_row(203)] + portal.lists[PERSONAL]
    run = sync_account(account)

    assert run.state == "succeeded", run.error_message
    assert not run.full
    # safe: page 1 holds the new ids, page 2 is all known → stop; personal page 1 all known.
    assert portal.offsets(SAFE) == [0, 50]
    assert portal.offsets(PERSONAL) == [0]
    assert run.created == 3
    assert SignedDocument.objects.filter(account=account).count() == 103


def test_full_sync_flags_documents_gone_from_the_portal(account, portal):
    portal.lists[SAFE] = [safe_row(i) for i in (5, 4, 3)]
    account.options = {"lists": "mysafe"}
    account.save()
    sync_account(account, full=True)

    portal.lists[SAFE] = [safe_row(i) for i in (5, 3)]
    run = sync_account(account, full=True)

    assert run.removed == 1
    assert SignedDocument.objects.get(account=account, external_id="4").removed_at is not None


def test_a_server_ignoring_offset_stops_the_sync_instead_of_looping(account, rsps):
    page = {"result": [safe_row(9), safe_row(8)], "time": {}}
    rsps.post("https://acme.bitrix24.com/rest/sign.b2e.mysafe.tail", json=page)
    account.options = {"lists": "mysafe"}
    account.save()

    run = sync_account(account, full=True)

    assert run.state == "failed"
    assert run.error_code == "paging_stuck"
    assert len([c for c in rsps.calls if "mysafe" in c.request.url]) == 2


def test_rows_without_an_id_are_skipped(account, portal):
    portal.lists[SAFE] = [safe_row(2), {"title": "no id"}, safe_row(1, id="1")]
    account.options = {"lists": "mysafe"}
    account.save()

    run = sync_account(account, full=True)

    assert run.state == "succeeded"
    assert set(SignedDocument.objects.values_list("external_id", flat=True)) == {"1", "2"}


@pytest.mark.parametrize("lists, methods", [("personal", [PERSONAL]), ("mysafe", [SAFE])])
def test_the_lists_option_chooses_the_methods(account, portal, lists, methods):
    account.options = {"lists": lists}
    account.save()
    sync_account(account, full=True)
    assert {m for m, _ in portal.calls} == set(methods)


def test_request_bodies_are_json_with_the_token(account, portal):
    sync_account(account, full=True)
    request = portal.calls[0][1]
    assert json.loads(json.dumps(request)) == {"limit": 50, "offset": 0, "auth": "AT1"}
