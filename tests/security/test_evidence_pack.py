"""Evidence packs: streamed ZIP, folder per document, manifest with hashes and failures."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from signhub.core.errors import ConnectorError
from signhub.core.models import AuditEvent

from .conftest import make_document
from .connectors import Broken, ScriptedConnector

URL = "/documents/evidence-pack/"


def open_zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.content[:500]
    assert response.streaming
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def manifest(archive: zipfile.ZipFile) -> list[dict]:
    text = archive.read("manifest.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_url_is_stable():
    assert reverse("downloads:evidence_pack") == URL


def test_it_packs_the_selected_documents_with_a_manifest(client, world):
    a0, a1 = world.docs_a
    ScriptedConnector.files[("Account Alpha", a0.external_id, "signed")] = b"signed-a0" * 1000
    client.force_login(world.alice)
    archive = open_zip(client.post(URL, {"ids": [a0.pk, a1.pk]}))
    names = archive.namelist()
    assert names[-1] == "manifest.csv"
    assert len([n for n in names if n.endswith(".pdf")]) == 4
    assert len({n.split("/")[0] for n in names if "/" in n}) == 2
    rows = manifest(archive)
    assert len(rows) == 4
    row = next(r for r in rows if r["external_id"] == a0.external_id and r["file_key"] == "signed")
    data = archive.read(row["file_name"])
    assert data == b"signed-a0" * 1000
    assert row["sha256"] == hashlib.sha256(data).hexdigest()
    assert row["bytes"] == str(len(data))
    assert (row["provider"], row["account"], row["result"]) == ("scripted", "Account Alpha", "ok")
    assert "Ann Employee <ann.ALPHALEAK0@example.com>" in row["signers"]
    assert row["completed_at"]
    event = AuditEvent.objects.get(action="evidence_pack")
    assert (event.actor, event.result) == (world.alice, "ok")
    assert sorted(event.details["document_ids"]) == sorted([a0.pk, a1.pk])
    assert event.bytes == sum(int(r["bytes"]) for r in rows)


def test_failed_files_are_listed_not_fatal(client, world):
    a0, a1 = world.docs_a
    ScriptedConnector.files[("Account Alpha", a0.external_id, "signed")] = ConnectorError(
        "The file is gone at Scripted", code="not_found"
    )
    ScriptedConnector.files[("Account Alpha", a1.external_id, "audit")] = Broken(
        b"half", ConnectorError("Connection reset", code="connection_error")
    )
    client.force_login(world.alice)
    archive = open_zip(client.post(URL, {"ids": [a0.pk, a1.pk]}))
    rows = {(r["external_id"], r["file_key"]): r for r in manifest(archive)}
    failed = rows[(a0.external_id, "signed")]
    assert (failed["result"], failed["error"], failed["file_name"]) == (
        "failed",
        "The file is gone at Scripted",
        "",
    )
    broken = rows[(a1.external_id, "audit")]
    assert broken["result"] == "incomplete" and "reset" in broken["error"]
    assert rows[(a0.external_id, "audit")]["result"] == "ok"
    assert sorted(ScriptedConnector.closed) == sorted(ScriptedConnector.opened)
    assert len(ScriptedConnector.opened) == 4
    assert AuditEvent.objects.get(action="evidence_pack").result == "partial"


def test_other_accounts_documents_are_ignored(client, world):
    client.force_login(world.alice)
    archive = open_zip(client.post(URL, {"ids": [world.docs_a[0].pk, world.docs_b[0].pk]}))
    text = "".join(archive.namelist()) + archive.read("manifest.csv").decode()
    assert "BRAVOLEAK" not in text and "Bravoleak" not in text
    assert not any("BRAVOLEAK" in key for key in ScriptedConnector.opened)


def test_only_other_accounts_documents_is_404(client, world):
    client.force_login(world.alice)
    assert client.post(URL, {"ids": [world.docs_b[0].pk]}).status_code == 404


def test_bad_input_is_a_400(client, world):
    client.force_login(world.alice)
    assert client.post(URL, {"ids": ["x"]}).status_code == 400
    assert client.post(URL, {}).status_code == 400


def test_too_many_ids_are_refused(client, world, settings):
    settings.SIGNHUB_EVIDENCE_MAX_DOCS = 1
    client.force_login(world.alice)
    response = client.post(URL, {"ids": [d.pk for d in world.docs_a]})
    assert response.status_code == 400
    assert b"at most 1 document;" in response.content


def test_it_needs_post_and_csrf_and_login(world):
    anon = Client()
    assert anon.post(URL, {"ids": [world.docs_a[0].pk]}).status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.alice)
    assert strict.post(URL, {"ids": [world.docs_a[0].pk]}).status_code == 403
    assert strict.get(URL).status_code == 405


def test_all_matching_the_filter_asks_for_confirmation_then_packs(client, world, settings):
    settings.SIGNHUB_EVIDENCE_MAX_DOCS = 1
    make_document(world.account_a, "ALPHALEAK9", title="Other thing", status="declined")
    client.force_login(world.alice)
    response = client.post(URL + "?status=completed", {"scope": "filter"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 documents match" in page
    assert "at most 1 document:" in page
    assert 'name="confirm"' in page
    archive = open_zip(client.post(URL + "?status=completed", {"scope": "filter", "confirm": "1"}))
    rows = manifest(archive)
    assert {r["external_id"] for r in rows} <= {d.external_id for d in world.docs_a}
    assert len({r["external_id"] for r in rows}) == 1


def test_all_matching_the_filter_never_crosses_accounts(client, world):
    client.force_login(world.alice)
    archive = open_zip(client.post(URL, {"scope": "filter", "confirm": "1"}))
    ids = {r["external_id"] for r in manifest(archive)}
    assert ids == {d.external_id for d in world.docs_a}


def test_the_comma_form_of_ids_is_accepted(client, world):
    """Issue 15, finding 6: `ids=1,2` as documented, alone or beside repeated ids."""
    a0, a1 = world.docs_a
    client.force_login(world.alice)
    for ids in (f"{a0.pk},{a1.pk}", [f"{a0.pk}, {a1.pk}"], [f"{a0.pk}", f"{a1.pk},"]):
        rows = manifest(open_zip(client.post(URL, {"ids": ids})))
        assert {r["external_id"] for r in rows} == {a0.external_id, a1.external_id}
    assert client.post(URL, {"ids": f"{a0.pk},x"}).status_code == 400


@pytest.mark.parametrize("confirm", ["", "1"])
def test_a_filter_on_an_account_you_cannot_see_packs_nothing(client, world, confirm):
    """Issue 15, finding 6: not "all your documents" because the filter was dropped."""
    client.force_login(world.alice)
    query = f"?account={world.account_b.pk}"
    response = client.post(URL + query, {"scope": "filter", "confirm": confirm})
    assert response.status_code == 400
    assert not response.streaming
    page = response.content.decode()
    assert "not understood" in page and "ALPHALEAK" not in page
    assert not AuditEvent.objects.filter(action="evidence_pack").exists()
    assert not ScriptedConnector.opened
    # The account's own id, visible to Alice, still packs.
    ok = client.post(f"{URL}?account={world.account_a.pk}", {"scope": "filter", "confirm": "1"})
    assert {r["external_id"] for r in manifest(open_zip(ok))} == {
        d.external_id for d in world.docs_a
    }
