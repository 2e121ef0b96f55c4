"""Signed PDF and audit trail: streamed, on behalf of the identity, never off-host."""

import pytest
import responses

from signhub.connectors.boldsign.mapping import to_record
from signhub.core.errors import ConnectorError
from signhub.core.index import IndexWriter

from .conftest import BASE, fixture, row

PDF = b"%PDF-1.7\n" + b"x" * (200 * 1024)


def indexed(account, data):
    from django.utils import timezone

    IndexWriter(account, timezone.now()).write([to_record(data)])
    return account.documents.get(external_id=data["documentId"])


@responses.activate
def test_the_signed_pdf_is_streamed_in_chunks(api_key_account):
    account = api_key_account()
    document = indexed(account, row(1))
    responses.get(f"{BASE}/v1/document/download", body=PDF, content_type="application/pdf",
                  headers={"Content-Disposition": "attachment; filename*=UTF-8''Vertrag%20%C3%A4.pdf",
                           "Content-Length": str(len(PDF))})  # fmt: skip
    stream = account.connector().open_file(document, "signed")
    chunks = list(stream.chunks)
    stream.close()
    assert b"".join(chunks) == PDF and len(chunks) == 4  # 64 KiB pieces
    assert stream.content_type == "application/pdf"
    assert stream.filename == "Vertrag ä.pdf"
    assert stream.size == len(PDF)
    request = responses.calls[0].request
    assert request.url == f"{BASE}/v1/document/download?documentId=doc-00001"
    assert request.headers["X-API-KEY"] == "key-123"


@responses.activate
def test_behalf_documents_are_fetched_on_behalf_of_the_identity(api_key_account):
    account = api_key_account()
    document = indexed(account, fixture("behalf_list_seed.json")["result"][0])
    responses.get(f"{BASE}/v1/document/downloadAuditLog", body=b"%PDF audit")
    stream = account.connector().open_file(document, "audit")
    assert b"".join(stream.chunks) == b"%PDF audit"
    assert stream.filename == "audit-trail.pdf"
    assert "onBehalfOf=alexgayle%40cubeflakes.com" in responses.calls[0].request.url


@responses.activate
def test_a_redirect_to_a_foreign_host_is_refused(api_key_account):
    account = api_key_account()
    document = indexed(account, row(1))
    responses.get(f"{BASE}/v1/document/download", status=302,
                  headers={"Location": "https://evil.example/steal"})  # fmt: skip
    with pytest.raises(ConnectorError, match="foreign host"):
        account.connector().open_file(document, "signed")
    assert len(responses.calls) == 1


@responses.activate
def test_a_same_host_redirect_is_followed(api_key_account):
    account = api_key_account()
    document = indexed(account, row(1))
    responses.get(f"{BASE}/v1/document/download", status=302,
                  headers={"Location": "/files/abc.pdf"})  # fmt: skip
    responses.get(f"{BASE}/files/abc.pdf", body=b"%PDF ok")
    stream = account.connector().open_file(document, "signed")
    assert b"".join(stream.chunks) == b"%PDF ok"


@responses.activate
def test_a_download_gets_a_new_token_on_401(oauth_account):
    account = oauth_account()
    document = indexed(account, row(1))
    responses.post("https://account.boldsign.com/connect/token", json=fixture("token.json"))
    responses.get(f"{BASE}/v1/document/download", status=401)
    responses.get(f"{BASE}/v1/document/download", body=b"%PDF ok")
    stream = account.connector().open_file(document, "signed")
    assert b"".join(stream.chunks) == b"%PDF ok"


def test_an_unknown_file_key_is_not_found(api_key_account):
    account = api_key_account()
    document = indexed(account, row(1, status="Draft"))
    with pytest.raises(ConnectorError):
        account.connector().open_file(document, "signed")
