"""The single-file download proxy: access, streaming, names, errors, audit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from signhub.core.errors import ConnectorError
from signhub.core.models import AuditEvent
from signhub.downloads.streaming import DownloadAborted

from .connectors import Broken, ScriptedConnector


def url(doc, key="signed"):
    return reverse("downloads:file", args=[doc.pk, key])


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_it_streams_the_file_with_a_safe_name(client, world):
    doc = world.docs_a[0]
    ScriptedConnector.files[("Account Alpha", doc.external_id, "signed")] = (
        b"%PDF-1.7 " + b"x" * 100
    )
    client.force_login(world.alice)
    response = client.get(url(doc), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == "109"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert "Alphaleak title 0 (Scripted Sign).pdf" in disposition
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    )
    assert body(response) == b"%PDF-1.7 " + b"x" * 100
    event = AuditEvent.objects.get(action="download")
    assert (event.actor, event.result, event.bytes, event.ip) == (
        world.alice,
        "ok",
        109,
        "10.1.2.3",
    )
    assert event.target == f"document:{doc.pk}"
    assert event.details["file_key"] == "signed"
    assert ScriptedConnector.closed == [f"{doc.external_id}/signed"]


def test_the_audit_trail_file_gets_its_own_name(client, world):
    client.force_login(world.alice)
    response = client.get(url(world.docs_a[0], "audit"))
    assert " - audit trail.pdf" in response["Content-Disposition"]
    body(response)


def test_it_requires_login(client, world):
    response = client.get(url(world.docs_a[0]))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert ScriptedConnector.opened == []


def test_it_hides_documents_of_other_accounts(client, world):
    client.force_login(world.alice)
    response = client.get(url(world.docs_b[0]))
    assert response.status_code == 404
    assert b"BRAVOLEAK" not in response.content
    assert ScriptedConnector.opened == []


def test_an_unknown_file_key_is_404(client, world):
    client.force_login(world.alice)
    assert client.get(url(world.docs_a[0], "nope")).status_code == 404
    assert ScriptedConnector.opened == []


def test_a_superuser_sees_every_account(client, world):
    client.force_login(world.admin)
    response = client.get(url(world.docs_b[0]))
    assert response.status_code == 200
    body(response)


@pytest.mark.parametrize(
    ("error", "status", "words"),
    [
        (
            ConnectorError("gone", code="not_found", status=404),
            404,
            "no longer available at Scripted Sign",
        ),
        (ConnectorError("slow", code="timeout", retryable=True), 504, "did not answer in time"),
        (ConnectorError("busy", code="rate_limited", retry_after=30), 503, "limiting requests"),
        (ConnectorError("bad link", code="unsafe_url"), 502, "refused to fetch"),
        (ConnectorError("expired", code="unauthorized", needs_reconnect=True), 502, "reconnected"),
        (ConnectorError("boom", code="server_error", status=500), 502, "could not deliver"),
    ],
)
def test_provider_errors_before_the_first_byte_give_a_clear_page(
    client, world, error, status, words
):
    doc = world.docs_a[0]
    ScriptedConnector.files[("Account Alpha", doc.external_id, "signed")] = error
    client.force_login(world.alice)
    response = client.get(url(doc))
    assert response.status_code == status
    assert not response.streaming
    assert "Content-Disposition" not in response
    assert words in response.content.decode()
    event = AuditEvent.objects.get(action="download")
    assert (event.result, event.bytes, event.details["error"]) == ("error", 0, error.code)
    assert ScriptedConnector.closed == [f"{doc.external_id}/signed"]


def test_a_stream_that_breaks_midway_aborts_the_response(client, world):
    doc = world.docs_a[0]
    ScriptedConnector.files[("Account Alpha", doc.external_id, "signed")] = Broken(
        b"%PDF-1.7 partial", ConnectorError("reset", code="connection_error"), size=1000
    )
    client.force_login(world.alice)
    response = client.get(url(doc))
    assert response.status_code == 200
    chunks = iter(response.streaming_content)
    assert next(chunks) == b"%PDF-1.7 partial"
    with pytest.raises(DownloadAborted):
        next(chunks)
    event = AuditEvent.objects.get(action="download")
    assert (event.result, event.bytes, event.details["error"]) == (
        "aborted",
        16,
        "connection_error",
    )
    assert ScriptedConnector.closed == [f"{doc.external_id}/signed"]


def test_a_short_stream_is_not_presented_as_complete(client, world):
    doc = world.docs_a[0]

    def short(document, key, close):
        from signhub.core.connector import FileStream

        return FileStream(iter([b"abc"]), "application/pdf", "x.pdf", 10, close)

    ScriptedConnector.files[("Account Alpha", doc.external_id, "signed")] = short
    client.force_login(world.alice)
    response = client.get(url(doc))
    with pytest.raises(DownloadAborted):
        body(response)
    assert AuditEvent.objects.get(action="download").details["error"] == "truncated"


def test_a_client_that_goes_away_is_audited_as_incomplete(client, world):
    client.force_login(world.alice)
    response = client.get(url(world.docs_a[0]))
    chunks = response._iterator  # the generator the server would hold
    next(chunks)
    chunks.close()  # what the server does when the client disconnects
    event = AuditEvent.objects.get(action="download")
    assert event.result == "incomplete"


def test_a_hostile_content_type_is_replaced(client, world):
    ScriptedConnector.content_type = "text/html\r\nSet-Cookie: a=b"
    client.force_login(world.alice)
    response = client.get(url(world.docs_a[0]))
    assert response["Content-Type"] == "application/octet-stream"
    assert "Set-Cookie" not in str(response.serialize_headers())
    body(response)


def test_only_get_is_allowed(client, world):
    client.force_login(world.alice)
    assert client.post(url(world.docs_a[0])).status_code == 405


def test_the_filename_template_is_configurable(client, world, settings):
    settings.SIGNHUB_DOWNLOAD_FILENAME = "{external_id} - {account}{ext}"
    client.force_login(world.alice)
    response = client.get(url(world.docs_a[0]))
    assert 'filename="ALPHALEAK0 - Account Alpha.pdf"' in response["Content-Disposition"]
    body(response)


def test_a_broken_filename_template_falls_back_to_the_default(client, world, settings):
    settings.SIGNHUB_DOWNLOAD_FILENAME = "{nope}{ext}"
    client.force_login(world.alice)
    response = client.get(url(world.docs_a[0]))
    assert "Alphaleak title 0 (Scripted Sign).pdf" in response["Content-Disposition"]
    body(response)
