"""The account page's webhook section, and Box's Create webhook."""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

from signhub.core.index import IndexWriter
from signhub.core.models import AuditEvent, SignedDocument
from tests.fakes import make_record

from .conftest import post
from .test_box import delivery


def page(client, account) -> str:
    return client.get(f"/admin/core/provideraccount/{account.pk}/change/").content.decode()


def test_the_account_page_shows_the_url_last_delivery_and_refusals(staff_client, box, deferred):
    html = page(staff_client, box)
    assert f"/webhooks/{box.endpoint_key}/" in html and "none yet" in html
    assert "Manage signature keys" in html  # the setup words
    body, headers = delivery()
    assert post(staff_client, box, body, headers).status_code == 200
    forged, headers = delivery(key="forged", event_id="x", delivery_id="y")
    assert post(staff_client, box, forged, headers).status_code == 401

    html = page(staff_client, box)
    assert "refused (bad_signature)" in html
    assert "1 accepted, 1 refused" in html
    assert "UTC — bad_signature" in html
    assert "primary-key-0123456789" not in html  # keys are never rendered back


def test_a_warning_when_documents_changed_but_no_delivery_arrived(staff_client, box):
    IndexWriter(box, seen_at=timezone.now()).write([make_record(1)])
    assert "No delivery arrived in the last 24 hours" in page(staff_client, box)
    SignedDocument.objects.update(last_seen_at=timezone.now() - timedelta(days=3))
    assert "No delivery arrived" not in page(staff_client, box)


def test_create_webhook_posts_the_folder_and_triggers_to_box(staff_client, box, settings):
    settings.SIGNHUB_PUBLIC_URL = "https://signhub.example.com"
    response = staff_client.post(
        f"/admin/core/provideraccount/{box.pk}/create-webhook/",
        {"webhook_target": "777"},
        follow=True,
    )
    assert "webhook 4000 created for folder 777" in response.content.decode()
    (hook,) = cache.get("sandbox:box:webhooks")
    assert hook["target"] == {"id": "777", "type": "folder"}
    assert hook["address"] == f"https://signhub.example.com/webhooks/{box.endpoint_key}/"
    assert "SIGN_REQUEST.COMPLETED" in hook["triggers"]
    response = staff_client.post(
        f"/admin/core/provideraccount/{box.pk}/create-webhook/",
        {"webhook_target": "0"},
        follow=True,
    )
    assert "root folder" in response.content.decode()
    assert AuditEvent.objects.filter(action="webhook_create", result="error").exists()
