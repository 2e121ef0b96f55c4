"""Account status panel, Sync now with live progress, and the stale notice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from signhub.core.models import SyncRun
from tests.fakes import FakeConnector

from .conftest import make_record

pytestmark = pytest.mark.django_db


def test_panel_shows_health_in_plain_words(client, reviewer_a, docs):
    a, _ = docs
    a.last_success_at = timezone.now() - timedelta(minutes=3)
    a.last_error_at = timezone.now()
    a.last_error = "Fake rejected the token"
    a.needs_reconnect = True
    a.save()
    client.force_login(reviewer_a)
    html = client.get("/accounts/").content.decode()
    assert "3 minutes ago" in html
    assert "3 documents" in html
    assert "Fake rejected the token — an administrator must reconnect the account." in html
    assert "needs reconnect" in html


def test_sync_now_enqueues_and_reports_progress(client, reviewer_a, accounts):
    a, _ = accounts
    FakeConnector.data[a.name] = [make_record(i) for i in range(12)]
    client.force_login(reviewer_a)
    response = client.post(f"/accounts/{a.pk}/sync/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    run = SyncRun.objects.get(account=a)
    assert run.trigger == "web" and run.state == "succeeded"
    html = response.content.decode()
    assert f'id="account-{a.pk}"' in html
    assert "12 fetched, 12 new" in html
    # The immediate backend finished at once: the page is told to refresh the list.
    assert response["HX-Trigger"] == "signhub:synced"
    assert a.documents.count() == 12


def test_running_sync_row_polls_every_second_then_triggers_refresh(client, reviewer_a, accounts):
    a, _ = accounts
    run = SyncRun.objects.create(
        account=a, state=SyncRun.State.RUNNING, fetched=40, expected_total=100, trigger="web"
    )
    client.force_login(reviewer_a)
    html = client.get(f"/accounts/{a.pk}/status/", {"run": run.pk}).content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert "40 fetched of 100" in html
    assert 'value="40"' in html
    run.state = SyncRun.State.SUCCEEDED
    run.finished_at = timezone.now()
    run.save()
    response = client.get(f"/accounts/{a.pk}/status/", {"run": run.pk})
    assert 'hx-trigger="every 1s"' not in response.content.decode()
    assert response["HX-Trigger"] == "signhub:synced"


def test_sync_now_without_js_redirects_back(client, reviewer_a, accounts):
    a, _ = accounts
    client.force_login(reviewer_a)
    response = client.post(f"/accounts/{a.pk}/sync/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/"


def test_disabled_account_is_not_synced(client, reviewer_a, accounts):
    a, _ = accounts
    a.enabled = False
    a.save()
    client.force_login(reviewer_a)
    client.post(f"/accounts/{a.pk}/sync/")
    assert not SyncRun.objects.exists()


def test_stale_notice_when_last_sync_failed(client, reviewer_a, docs):
    a, _ = docs
    a.last_error_at = timezone.now()
    a.last_error = "Fake is down"
    a.save()
    client.force_login(reviewer_a)
    html = client.get("/documents/").content.decode()
    assert "may be out of date" in html and "Fake is down" in html
    assert "NDA Peter" in html  # non-blocking: the list is still there


def test_stale_notice_when_last_success_is_old(client, reviewer_a, docs, settings):
    a, _ = docs
    a.last_success_at = timezone.now() - timedelta(minutes=settings.SIGNHUB_STALE_AFTER_MINUTES + 5)
    a.save()
    client.force_login(reviewer_a)
    assert "may be out of date" in client.get("/documents/").content.decode()


def test_no_stale_notice_when_fresh(client, reviewer_a, docs):
    client.force_login(reviewer_a)
    assert "may be out of date" not in client.get("/documents/").content.decode()


def test_detail_shows_signers_files_raw_and_signature_link(client, reviewer_a, docs):
    from signhub.core.models import SignedDocument

    a, _ = docs
    doc = SignedDocument.objects.get(account=a, external_id="doc-1")
    client.force_login(reviewer_a)
    html = client.get(f"/documents/{doc.pk}/", {"tz": "UTC"}).content.decode()
    assert "Maria Lopez" in html and "2026-03-10 14:30" in html
    assert f'href="/documents/{doc.pk}/download/signed"' in html
    assert 'href="/signatures/?document=doc-1"' in html
    assert '<details class="raw">' in html and "&quot;note&quot;" in html
    panel = client.get(f"/documents/{doc.pk}/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="detail")
    assert b"<html" not in panel.content and b"Maria Lopez" in panel.content
