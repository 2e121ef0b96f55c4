"""A reviewer has the list open; Box sends "completed"; a reload shows it, no Sync now."""

from __future__ import annotations

import pytest
import requests
from django.contrib.auth.models import Group, User

from signhub.connectors.box import sandbox
from signhub.core.models import ProviderAccount, SyncRun
from signhub.core.sync import sync_account

from .test_journeys import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
KEY = "box-primary-signature-key"
REQUEST = sandbox._requests()[1]  # "converting": in progress


def test_a_box_completed_event_shows_after_a_reload_without_sync_now(page, live_server):
    group = Group.objects.create(name="hr")
    demo = sandbox.demo_account()
    account = ProviderAccount.objects.create(
        name="HR Box", provider="box", base_url=f"{live_server.url}/sandbox/box",
        credentials={**demo["credentials"], "webhook_primary_key": KEY}, options=demo["options"],
    )  # fmt: skip
    account.visible_to.add(group)
    User.objects.create_user("alice", "alice@example.com", "correct horse battery").groups.add(
        group
    )
    sync_account(account, targets=[REQUEST["id"]])  # indexed while still in progress
    login(page, live_server)
    row = page.locator("tr", has_text=REQUEST["name"])
    assert row.locator(".status").inner_text() == "In progress"

    sandbox.change(REQUEST["id"], status="signed", finished_at="2026-12-01T18:00:00.000Z")
    body, headers = sandbox.webhook_delivery(
        "SIGN_REQUEST.COMPLETED", REQUEST["id"], primary_key=KEY
    )
    answer = requests.post(
        f"{live_server.url}/webhooks/{account.endpoint_key}/",
        data=body,
        headers=headers,
        timeout=10,
    )
    assert answer.status_code == 200, answer.text

    page.reload()
    row = page.locator("tr", has_text=REQUEST["name"])
    assert row.locator(".status").inner_text() == "Completed"
    # Nobody pressed Sync now: the only runs are the setup's and the webhook's refresh.
    triggers = SyncRun.objects.filter(account=account).values_list("trigger", flat=True)
    assert sorted(triggers) == ["cli", "webhook"]
