"""DELETE moves a chain to the trash: restorable in the admin, purged by `prune`."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from signhub.core.models import AuditEvent
from signhub.persist.models import Signature, SignatureChain

pytestmark = pytest.mark.django_db
DELETE = {"document": "doc_12", "thread": "ticket_42"}


def test_an_admin_restores_a_deleted_chain(api, admin_client):
    api.save()
    api.save(version=1)
    api.call("DELETE", "signature", DELETE)
    chain = SignatureChain.objects.get()
    listing = admin_client.get("/admin/persist/signaturechain/?trash=yes")
    assert b"doc_12" in listing.content
    r = admin_client.post(
        "/admin/persist/signaturechain/",
        {"action": "restore", "_selected_action": [chain.pk]},
        follow=True,
    )
    assert "Restored 1 chain(s)." in [str(m) for m in r.context["messages"]]
    r = api.call("GET", "signature", DELETE)
    assert r.status_code == 200 and r.json()["content"]["signature"]["version"] == 2
    assert AuditEvent.objects.filter(action="signature.restore").count() == 1


def test_restore_refuses_when_a_newer_chain_took_the_name(api, admin_client):
    api.save()
    api.call("DELETE", "signature", DELETE)
    api.save()  # a new chain for the same document and thread
    old = SignatureChain.objects.in_trash().get()
    r = admin_client.post(
        "/admin/persist/signaturechain/",
        {"action": "restore", "_selected_action": [old.pk]},
        follow=True,
    )
    assert any("Not restored" in str(m) for m in r.context["messages"])
    assert SignatureChain.objects.in_trash().count() == 1


def test_a_viewer_without_change_permission_cannot_restore(api, client, django_user_model):
    from django.contrib.auth.models import Permission

    api.save()
    api.call("DELETE", "signature", DELETE)
    user = django_user_model.objects.create_user("auditor", password="pw-123456789", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_signaturechain"))
    client.force_login(user)
    page = client.get("/admin/persist/signaturechain/")
    assert page.status_code == 200 and b'value="restore"' not in page.content


def test_prune_purges_chains_kept_longer_than_the_trash_days(api, settings, monkeypatch):
    api.save(thread="old")
    api.save(thread="recent")
    api.save(thread="live")
    api.call("DELETE", "signature", {"document": "doc_12", "thread": "old"})
    api.call("DELETE", "signature", {"document": "doc_12", "thread": "recent"})
    SignatureChain.objects.filter(thread="old").update(
        deleted_at=timezone.now() - dt.timedelta(days=31)
    )
    out = io.StringIO()
    call_command("prune", "--dry-run", stdout=out)
    assert "Would purge 1 signature chain(s)" in out.getvalue()
    assert SignatureChain.objects.count() == 3
    call_command("prune", stdout=io.StringIO())
    assert set(SignatureChain.objects.values_list("thread", flat=True)) == {"recent", "live"}
    assert Signature.objects.count() == 2
    settings.SIGNHUB_PERSIST_TRASH_DAYS = 0
    call_command("prune", stdout=io.StringIO())
    assert list(SignatureChain.objects.values_list("thread", flat=True)) == ["live"]
