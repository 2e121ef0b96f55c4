"""Verified events become few, non-overlapping refreshes on the task worker."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from signhub.connectors.box import sandbox
from signhub.core.models import SignedDocument, SyncRun
from signhub.core.sync import acquire_lock, release_lock
from signhub.webhooks.models import PendingRefresh
from signhub.webhooks.refresh import refresh_account_task
from signhub.webhooks.views import receive

from .conftest import post
from .test_box import delivery

IDS = [r["id"] for r in sandbox._requests()]


def run_worker(deferred) -> None:
    """What db_worker does with the queue: run each enqueued task once."""
    results, deferred.results[:] = list(deferred.results), []
    for result in results:
        result.task.func(*result.args, **result.kwargs)


def test_duplicate_events_for_one_document_collapse_into_one_refresh(
    client, box, deferred, provider_calls
):
    for n in range(5):
        body, headers = delivery(
            "SIGN_REQUEST.SIGNER_SIGNED", event_id=f"e{n}", delivery_id=f"d{n}"
        )
        assert post(client, box, body, headers).status_code == 200
    assert PendingRefresh.objects.count() == 1
    assert len(deferred.results) == 1
    assert deferred.results[0].task.run_after is not None  # debounced: gathered for a moment

    run_worker(deferred)

    assert [c for c in provider_calls if "sign_requests" in c] == [
        f"GET /sandbox/box/2.0/sign_requests/{IDS[1]}"
    ]
    assert SignedDocument.objects.filter(account=box).count() == 1
    assert not PendingRefresh.objects.exists()


def test_a_burst_of_1000_events_costs_a_bounded_number_of_provider_calls(
    client, box, deferred, provider_calls
):
    factory = RequestFactory()
    for n in range(1000):  # straight to the view: the middleware is not what is counted here
        body, headers = delivery(event_id=f"e{n}", delivery_id=f"d{n}", request_id=IDS[n % 300])
        meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        request = factory.post("/", data=body, content_type="application/json", **meta)
        assert receive(request, box.endpoint_key).status_code == 200
    assert len(deferred.results) == 1  # one task for the account, whatever the burst
    assert not provider_calls  # the receiver never calls the provider

    run_worker(deferred)

    # 300 documents named: more than SIGNHUB_WEBHOOK_MAX_TARGETS, so one incremental sync
    # (Box lists everything: 3 owned pages + 1 shared + the token) instead of 300 GETs.
    assert len(provider_calls) <= 6, provider_calls
    (run,) = SyncRun.objects.filter(account=box)
    assert (run.trigger, run.state) == ("webhook", SyncRun.State.SUCCEEDED)
    assert SignedDocument.objects.filter(account=box).count() == sandbox.TOTAL


def test_a_refresh_waits_for_a_running_sync_of_the_account(client, box, deferred, provider_calls):
    body, headers = delivery()
    assert post(client, box, body, headers).status_code == 200
    token = acquire_lock(box.pk)  # a sync is running
    run_worker(deferred)
    assert not provider_calls
    assert PendingRefresh.objects.filter(account=box).count() == 1  # kept for later
    assert len(deferred.results) == 1  # and tried again a few seconds later
    release_lock(box.pk, token)

    run_worker(deferred)

    assert SignedDocument.objects.filter(account=box, external_id=IDS[1]).exists()
    assert not PendingRefresh.objects.exists()


@pytest.mark.parametrize("enabled", [False])
def test_a_disabled_account_drops_its_refreshes(box, enabled):
    PendingRefresh.objects.create(account=box, external_id=IDS[0])
    box.enabled = enabled
    box.save()
    assert refresh_account_task.func(box.pk) == 0
    assert not PendingRefresh.objects.exists()
