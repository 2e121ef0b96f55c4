"""Hardening finding 8b: a listing that comes back empty (or shrinks abruptly) must not
flag the account's documents removed until a second full sync or an admin confirms."""

import pytest

from signhub.core.models import AuditEvent, SignedDocument, SyncRun, SyncSighting
from signhub.core.sync import acquire_lock, apply_withheld_removals, release_lock, sync_account
from tests.fakes import FakeConnector, make_record


@pytest.fixture
def synced(make_account):
    account = make_account(name="acme")
    FakeConnector.data["acme"] = [make_record(i) for i in range(20)]
    assert sync_account(account, full=True).created == 20
    return account


def _present(account) -> int:
    return SignedDocument.objects.filter(account=account, removed_at__isnull=True).count()


def test_an_empty_full_listing_removes_nothing_and_is_suspicious(synced):
    FakeConnector.data["acme"] = []

    run = sync_account(synced, full=True)

    synced.refresh_from_db()
    assert run.state == SyncRun.State.SUCCEEDED
    assert (run.removed, run.removals_withheld, run.suspicious) == (0, 20, True)
    assert _present(synced) == 20
    assert synced.removals_withheld_at == run.started_at
    assert "listed only 0 of the 20 documents" in synced.sync_warning
    assert synced.sync_warning in run.warnings


def test_a_second_full_sync_confirming_the_shrink_applies_it(synced):
    FakeConnector.data["acme"] = [make_record(i) for i in range(3)]
    assert sync_account(synced, full=True).removals_withheld == 17

    run = sync_account(synced, full=True)

    synced.refresh_from_db()
    assert (run.removed, run.removals_withheld) == (17, 0)
    assert _present(synced) == 3
    assert synced.removals_withheld_at is None and synced.sync_warning == ""
    assert not SyncSighting.objects.exists()


def test_an_incremental_sync_in_between_keeps_the_removals_withheld(synced):
    FakeConnector.data["acme"] = []
    sync_account(synced, full=True)
    sync_account(synced)  # incremental: no sweep, the warning stays
    synced.refresh_from_db()
    assert synced.removals_withheld_at is not None
    assert _present(synced) == 20


def test_a_listing_back_to_normal_clears_the_warning(synced):
    FakeConnector.data["acme"] = []
    sync_account(synced, full=True)
    FakeConnector.data["acme"] = [make_record(i) for i in range(20)]

    run = sync_account(synced, full=True)

    synced.refresh_from_db()
    assert (run.removed, run.removals_withheld) == (0, 0)
    assert synced.sync_warning == "" and synced.removals_withheld_at is None
    assert _present(synced) == 20


def test_normal_small_removals_are_unaffected(synced):
    FakeConnector.data["acme"] = [make_record(i) for i in range(17)]

    run = sync_account(synced, full=True)

    synced.refresh_from_db()
    assert (run.removed, run.removals_withheld, run.suspicious) == (3, 0, False)
    assert synced.sync_warning == ""
    assert _present(synced) == 17


def test_the_share_is_a_setting(synced, settings):
    settings.SIGNHUB_SWEEP_MAX_SHARE = 1.0  # never withhold
    FakeConnector.data["acme"] = []
    assert sync_account(synced, full=True).removed == 20


def test_an_admin_confirms_the_withheld_removals(synced, client, django_user_model):
    FakeConnector.data["acme"] = [make_record(i) for i in range(5)]
    sync_account(synced, full=True)
    # A document that changed afterwards was seen later: it must stay.
    FakeConnector.data["acme"] = [make_record(7, title="Seen again later")]
    sync_account(synced)
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw-123456789")
    client.force_login(admin)

    response = client.post(
        "/admin/core/provideraccount/",
        {"action": "confirm_withheld_removals", "_selected_action": [synced.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "14 documents marked removed" in response.content.decode()
    assert _present(synced) == 6
    assert SignedDocument.objects.get(account=synced, external_id="doc-7").removed_at is None
    synced.refresh_from_db()
    assert synced.removals_withheld_at is None and synced.sync_warning == ""
    event = AuditEvent.objects.get(action="removals_confirm")
    assert event.actor == admin and event.details["documents"] == 14


def test_confirming_waits_for_a_running_sync(synced):
    FakeConnector.data["acme"] = []
    sync_account(synced, full=True)
    token = acquire_lock(synced.pk)
    try:
        assert apply_withheld_removals(synced) is None
    finally:
        release_lock(synced.pk, token)
    assert _present(synced) == 20
    assert apply_withheld_removals(synced) == 20


def test_the_accounts_panel_shows_the_warning(synced, client, django_user_model):
    FakeConnector.data["acme"] = []
    sync_account(synced, full=True)
    user = django_user_model.objects.create_superuser("boss", "b@example.com", "pw-123456789")
    client.force_login(user)

    html = client.get("/accounts/").content.decode()

    assert "were not marked" in html and "removed" in html
    assert "20 removals withheld" in html


def test_the_sync_command_says_removals_were_withheld(synced):
    from io import StringIO

    from django.core.management import call_command

    FakeConnector.data["acme"] = []
    out = StringIO()
    call_command("sync", "--full", "--account", "acme", stdout=out)
    assert "0 removed in" in out.getvalue()
    assert "20 removals withheld (suspicious listing)" in out.getvalue()
