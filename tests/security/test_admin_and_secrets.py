"""Admin: credentials never shown, changes audited, audit read-only and exportable;
credentials encrypted at rest."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.db import connection

from signhub.core import audit
from signhub.core.models import AuditEvent, ProviderAccount

SECRET = "sup3r-s3cret-t0ken-VALUE"


def test_the_change_form_never_renders_a_credential(client, world, make_account):
    account = make_account("fake", name="Creds", credentials={"token": SECRET})
    client.force_login(world.admin)
    response = client.get(f"/admin/core/provideraccount/{account.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert SECRET not in html
    assert SECRET[:8] not in html


def test_changing_a_credential_is_audited_without_the_value(client, world, make_account):
    account = make_account("fake", name="Creds", credentials={"token": "old"})
    client.force_login(world.admin)
    response = client.post(
        f"/admin/core/provideraccount/{account.pk}/change/",
        {
            "name": "Creds",
            "base_url": "https://fake.example.com",
            "enabled": "on",
            "options": "{}",
            "cred_token": SECRET,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    account.refresh_from_db()
    assert account.credentials["token"] == SECRET
    event = AuditEvent.objects.get(action="credentials_change")
    assert event.actor == world.admin
    assert event.details == {"fields": ["token"]}
    assert SECRET not in str(event.details) + event.target


def test_saving_without_a_new_credential_writes_no_credential_event(client, world, make_account):
    account = make_account("fake", name="Creds", credentials={"token": "old"})
    client.force_login(world.admin)
    client.post(
        f"/admin/core/provideraccount/{account.pk}/change/",
        {"name": "Creds", "base_url": "https://fake.example.com", "options": "{}"},
    )
    assert not AuditEvent.objects.filter(action="credentials_change").exists()


def test_sync_and_test_connection_actions_are_audited(client, world, make_account):
    account = make_account("fake", name="Creds")
    client.force_login(world.admin)
    for action in ("test_connection", "sync_now"):
        response = client.post(
            "/admin/core/provideraccount/",
            {"action": action, "_selected_action": [account.pk]},
        )
        assert response.status_code == 302
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        "test_connection",
        "sync_trigger",
    }


def test_audit_events_are_read_only_in_the_admin(client, world):
    event = audit.record(world.alice, "download", "document:1", bytes=10)
    client.force_login(world.admin)
    assert client.get("/admin/core/auditevent/").status_code == 200
    assert client.get("/admin/core/auditevent/add/").status_code == 403
    change = client.get(f"/admin/core/auditevent/{event.pk}/change/")
    assert change.status_code == 200 and b'type="submit" value="Save"' not in change.content
    assert client.post(f"/admin/core/auditevent/{event.pk}/change/", {}).status_code == 403
    assert (
        client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    response = client.post(
        "/admin/core/auditevent/", {"action": "delete_selected", "_selected_action": [event.pk]}
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert response.status_code in (200, 302)


def test_audit_events_can_be_filtered_and_exported(client, world):
    audit.record(world.alice, "download", "=HYPERLINK(evil)", bytes=10)
    audit.record(world.bob, "export", "documents")
    client.force_login(world.admin)
    assert client.get("/admin/core/auditevent/?action=download").status_code == 200
    ids = list(AuditEvent.objects.values_list("pk", flat=True))
    response = client.post(
        "/admin/core/auditevent/", {"action": "export_csv", "_selected_action": ids}
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    assert "alice,download,'=HYPERLINK(evil)" in text
    assert "bob,export" in text
    assert AuditEvent.objects.filter(action="audit_export").exists()


def test_reviewers_cannot_open_the_admin(client, world):
    client.force_login(world.alice)
    response = client.get("/admin/core/auditevent/")
    assert response.status_code == 302


def test_credentials_are_not_plain_text_in_a_dump(make_account):
    make_account("fake", name="Dumped", credentials={"token": SECRET})
    out = io.StringIO()
    call_command("dumpdata", "core.provideraccount", stdout=out)
    assert SECRET not in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ProviderAccount._meta.db_table}")
        assert SECRET not in repr(cursor.fetchall())


def test_the_audit_helper_drops_secret_looking_details(world):
    event = audit.record(world.alice, "x", "y", access_token=SECRET, file_key="signed")
    assert event.details == {"file_key": "signed"}
