"""Files: base64 inside JSON, decoded as a stream; signed vs unsigned copies; errors."""

from __future__ import annotations

import base64
import json
import os

import pytest

from signhub.connectors.jsign.download import Base64JsonDecoder
from signhub.core.errors import ConnectorError
from signhub.core.models import SignedDocument
from signhub.core.sync import sync_account

from .conftest import API, IDS, calls_to, load, three_pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced(account, rsps):
    three_pages(rsps)
    sync_account(account, full=True)
    rsps.calls.reset()
    return account


def test_a_signed_copy_is_streamed_decoded(synced, rsps):
    rsps.get(f"{API}/envelopes/{IDS[1]}/d-2/download", json=load("download.json"))
    doc = SignedDocument.objects.get(external_id=IDS[1])
    stream = synced.connector().open_file(doc, "doc-d-2")
    body = b"".join(stream.chunks)
    stream.close()
    assert body == b"%PDF-1.4\n% signed\n%%EOF\n"
    assert stream.filename == "offer signed.pdf"
    assert stream.content_type == "application/pdf"
    (call,) = rsps.calls
    assert call.request.url.endswith("/d-2/download?signedCopy=true")
    assert call.request.headers["app_auth_type"] == "jsign-oauth2"


def test_an_unsigned_envelope_downloads_the_unsigned_copy(synced, rsps):
    rsps.get(f"{API}/envelopes/{IDS[0]}/d-1/download", json=load("download.json"))
    doc = SignedDocument.objects.get(external_id=IDS[0])
    stream = synced.connector().open_file(doc, "doc-d-1")
    assert b"".join(stream.chunks).startswith(b"%PDF")
    assert rsps.calls[0].request.url.endswith("signedCopy=false")


def test_document_is_not_signed_is_a_clear_error(synced, rsps):
    rsps.get(
        f"{API}/envelopes/{IDS[1]}/d-2/download", json=load("error_not_signed.json"), status=400
    )
    doc = SignedDocument.objects.get(external_id=IDS[1])
    with pytest.raises(ConnectorError, match="no signed copy of this document yet"):
        synced.connector().open_file(doc, "doc-d-2")


def test_the_audit_log_is_streamed_as_json(synced, rsps):
    rsps.get(f"{API}/envelopes/{IDS[1]}/audit_logs", json={"envelope_id": IDS[1]})
    doc = SignedDocument.objects.get(external_id=IDS[1])
    stream = synced.connector().open_file(doc, "audit")
    assert json.loads(b"".join(stream.chunks)) == {"envelope_id": IDS[1]}
    assert stream.content_type == "application/json"


def test_a_download_with_an_expired_token_refreshes_first(synced, rsps):
    rsps.get(
        f"{API}/envelopes/{IDS[1]}/d-2/download", json=load("error_token_expired.json"), status=401
    )
    rsps.get(f"{API}/envelopes/{IDS[1]}/d-2/download", json=load("download.json"))
    rsps.post(f"{API}/authorization/refresh_token", json=load("refresh.json"))
    doc = SignedDocument.objects.get(external_id=IDS[1])
    stream = synced.connector().open_file(doc, "doc-d-2")
    assert b"".join(stream.chunks).startswith(b"%PDF")
    assert len(calls_to(rsps, "/download")) == 2


def _chunks(data: bytes, size: int):
    for i in range(0, len(data), size):
        yield data[i : i + size]


@pytest.mark.parametrize("size", [1, 3, 5, 4096, 65536])
def test_the_decoder_survives_any_chunk_boundary_and_json_escapes(size):
    payload = os.urandom(20_000)
    encoded = base64.b64encode(payload).decode()
    body = json.dumps(
        {"data": {"file_name": "aé.pdf", "document_base64": encoded, "after": 1}}
    ).encode()
    # .NET escapes '+', PHP escapes '/'; both are valid JSON.
    body = body.replace(b"+", b"\\u002B").replace(b"/", b"\\/")
    decoder = Base64JsonDecoder(_chunks(body, size))
    assert decoder.open()["file_name"] == "aé.pdf"  # sent as \u00e9 by json.dumps
    assert b"".join(decoder) == payload


def test_the_decoder_yields_before_the_whole_body_arrives():
    """Streaming, not buffering: output starts while input is still being read."""
    payload = os.urandom(3 * 65536)
    body = json.dumps({"data": {"document_base64": base64.b64encode(payload).decode()}}).encode()
    consumed = 0

    def source():
        nonlocal consumed
        for chunk in _chunks(body, 65536):
            consumed += len(chunk)
            yield chunk

    decoder = Base64JsonDecoder(source())
    decoder.open()
    first = next(iter(decoder))
    assert first and consumed < len(body)


def test_a_cut_off_download_raises_instead_of_returning_half_a_file():
    decoder = Base64JsonDecoder([b'{"data": {"document_base64": "JVBERi0xLjQK'])
    decoder.open()
    with pytest.raises(ConnectorError, match="cut off"):
        b"".join(decoder)


def test_an_error_body_without_a_file_is_reported():
    decoder = Base64JsonDecoder([json.dumps(load("error_not_signed.json")).encode()])
    with pytest.raises(ConnectorError, match="DOCUMENT_IS_NOT_SIGNED"):
        decoder.open()
