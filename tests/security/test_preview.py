"""The preview proxy: the download proxy's access and audit, only PDFs, never active content."""

from __future__ import annotations

from django.urls import reverse

from signhub.core.errors import ConnectorError
from signhub.core.models import AuditEvent
from signhub.dashboard.preview import preview_for
from signhub.sandbox.pdf import sample_pdf

from .conftest import make_document
from .connectors import ScriptedConnector


def url(doc, key="signed"):
    return reverse("downloads:preview", args=[doc.pk, key])


def test_a_pdf_is_served_inline_sandboxed_and_audited_as_preview(client, world):
    doc = world.docs_a[0]
    pdf = sample_pdf("Contract")
    ScriptedConnector.files[("Account Alpha", doc.external_id, "signed")] = pdf
    client.force_login(world.alice)
    response = client.get(url(doc))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert b"".join(response.streaming_content) == pdf
    event = AuditEvent.objects.get()
    assert (event.action, event.result, event.bytes, event.actor) == (
        "preview",
        "ok",
        len(pdf),
        world.alice,
    )
    assert event.details["file_key"] == "signed"


def test_html_from_the_provider_is_never_served_for_a_preview(client, world):
    doc = world.docs_a[0]
    ScriptedConnector.content_type = "text/html"
    ScriptedConnector.files[("Account Alpha", doc.external_id, "signed")] = b"<script>x</script>"
    client.force_login(world.alice)
    response = client.get(url(doc))
    assert response.status_code == 415
    assert response["Content-Type"].startswith("text/plain")
    assert b"<script>" not in response.content
    assert b"not a PDF" in response.content
    event = AuditEvent.objects.get()
    assert (event.action, event.result) == ("preview", "not_pdf")
    assert ScriptedConnector.closed == [f"{doc.external_id}/signed"]


def test_a_provider_error_is_the_download_error_page_and_audited(client, world):
    doc = world.docs_a[0]
    ScriptedConnector.files[("Account Alpha", doc.external_id, "signed")] = ConnectorError(
        "gone", code="not_found"
    )
    client.force_login(world.alice)
    response = client.get(url(doc))
    assert response.status_code == 404
    assert b"no longer available" in response.content
    assert AuditEvent.objects.get().result == "error"


def test_another_accounts_document_or_an_unknown_file_is_404(client, world):
    client.force_login(world.alice)
    assert client.get(url(world.docs_b[0])).status_code == 404
    assert client.get(url(world.docs_a[0], "nope")).status_code == 404
    assert not AuditEvent.objects.exists()
    client.logout()
    assert client.get(url(world.docs_a[0])).status_code == 302


def test_the_signed_copy_is_previewed_else_the_original_labelled(world):
    doc = world.docs_a[0]
    assert preview_for(doc).label == "Signed copy"
    original = make_document(
        world.account_a,
        "ORIG1",
        files=[
            {"key": "audit", "name": "audit.pdf", "kind": "audit"},
            {"key": "orig", "name": "offer.pdf", "kind": "original"},
        ],
    )
    preview = preview_for(original)
    assert (preview.key, preview.is_pdf) == ("orig", True)
    assert "not the signed copy" in preview.label
    word = make_document(
        world.account_a, "DOCX1", files=[{"key": "s", "name": "offer.docx", "kind": "signed"}]
    )
    assert preview_for(word).is_pdf is False
    assert preview_for(make_document(world.account_a, "NONE1", files=[])) is None


def test_the_detail_page_shows_the_viewer_or_the_fallback(client, world):
    client.force_login(world.alice)
    page = client.get(reverse("dashboard:detail", args=[world.docs_a[0].pk])).content.decode()
    assert "data-pdf-viewer" in page and url(world.docs_a[0]) in page
    assert "vendor/pdfjs/pdf.worker.min.mjs" in page
    word = make_document(
        world.account_a, "DOCX2", files=[{"key": "s", "name": "offer.docx", "kind": "signed"}]
    )
    page = client.get(reverse("dashboard:detail", args=[word.pk])).content.decode()
    assert "data-pdf-viewer" not in page
    assert "offer.docx is not a PDF" in page
