"""Downloads: 302 to Box's download host without the token, 202 + Retry-After, SSRF guard."""

from __future__ import annotations

import pytest
import responses

from signhub.connectors.box.client import check_download_url
from signhub.connectors.box.mapping import to_record
from signhub.core.errors import ConnectorError
from signhub.core.index import IndexWriter
from signhub.core.models import SignedDocument

from .helpers import BASE, load

CONTENT = f"{BASE}/2.0/files/9001/content"
DL = "https://dl.boxcloud.com/d/1/secret-ticket/download"
PDF = b"%PDF-1.4\n" + b"x" * (200 * 1024) + b"\n%%EOF"


@pytest.fixture
def document(box_account):
    account = box_account()
    IndexWriter(account, seen_at=account.created_at).write(
        [to_record(load("list_page1")["entries"][0])]
    )
    return SignedDocument.objects.get(external_id="sr-1")


def read(stream) -> bytes:
    return b"".join(stream.chunks)


@responses.activate
def test_the_signed_pdf_streams_from_the_download_host_without_the_box_token(document):
    responses.get(CONTENT, status=302, headers={"Location": DL})
    responses.get(
        DL,
        body=PDF,
        headers={"Content-Type": "application/pdf", "Content-Length": str(len(PDF))},
    )

    stream = document.account.connector().open_file(document, "signed-9001")

    assert stream.filename == "Contract 1.pdf"
    assert stream.content_type == "application/pdf"
    assert stream.size == len(PDF)
    chunks = list(stream.chunks)
    assert len(chunks) == 4  # 64 KiB pieces, not one buffer
    assert b"".join(chunks) == PDF
    api, download = responses.calls
    assert api.request.headers["Authorization"] == "Bearer at-OLD"
    assert "Authorization" not in download.request.headers
    assert download.request.req_kwargs["stream"] is True


@responses.activate
def test_the_signing_log_waits_while_box_prepares_it(document, no_sleep):
    log_url = f"{BASE}/2.0/files/8001/content"
    responses.get(log_url, status=202, headers={"Retry-After": "3"})
    responses.get(log_url, status=302, headers={"Location": DL})
    responses.get(DL, body=b"%PDF log")
    stream = document.account.connector().open_file(document, "audit-8001")
    assert read(stream) == b"%PDF log"
    assert 3.0 in no_sleep


@responses.activate
def test_a_file_that_never_gets_ready_gives_up_with_plain_words(document):
    responses.get(CONTENT, status=202, headers={"Retry-After": "1"})
    with pytest.raises(ConnectorError) as info:
        document.account.connector().open_file(document, "signed-9001")
    assert info.value.code == "not_ready"
    assert len(responses.calls) == 4


@responses.activate
def test_a_redirect_to_a_foreign_host_is_refused(document):
    responses.get(CONTENT, status=302, headers={"Location": "https://evil.example/steal"})
    with pytest.raises(ConnectorError) as info:
        document.account.connector().open_file(document, "signed-9001")
    assert info.value.code == "unsafe_url"
    assert len(responses.calls) == 1


@responses.activate
def test_the_download_refreshes_an_expired_token(document):
    responses.get(CONTENT, status=401, body="")
    responses.post(f"{BASE}/oauth2/token", json=load("token_refresh"))
    responses.get(CONTENT, status=302, headers={"Location": DL})
    responses.get(DL, body=b"%PDF ok")
    assert read(document.account.connector().open_file(document, "signed-9001")) == b"%PDF ok"


def test_an_unknown_file_key_is_not_found(document):
    with pytest.raises(ConnectorError) as info:
        document.account.connector().open_file(document, "signed-nope")
    assert info.value.code == "not_found"


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://dl.boxcloud.com/d/1/x/download", True),
        ("https://public.boxcloud.com/x", True),
        ("https://api.box.com/2.0/x", True),
        ("http://dl.boxcloud.com/x", False),  # https account, plain http link
        ("https://boxcloud.com.evil.example/x", False),
        ("https://evilboxcloud.com/x", False),
        ("file:///etc/passwd", False),
    ],
)
def test_the_download_host_rule(url, ok):
    if ok:
        assert check_download_url(url, BASE) == url
    else:
        with pytest.raises(ConnectorError):
            check_download_url(url, BASE)
