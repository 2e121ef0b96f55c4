"""No SSRF through the download proxy: links and redirects only to the account's own hosts."""

from __future__ import annotations

import logging

import pytest
import requests
import responses
from django.urls import reverse

from signhub.core.errors import ConnectorError
from signhub.core.http import ensure_allowed_url
from signhub.core.models import AuditEvent

from .conftest import make_document

BASE = "https://portal.example.com/rest"
TOKEN = "s3cr3t-T0KEN-value"


@pytest.fixture
def account(make_account, world):
    account = make_account("linkfetch", name="Portal", base_url=BASE, credentials={"token": TOKEN})
    account.visible_to.add(*world.alice.groups.all())
    return account


def doc_with_link(account, url: str):
    return make_document(
        account,
        f"LINK-{abs(hash(url))}",
        files=[{"key": "signed", "name": "c.pdf", "kind": "signed", "handle": {"file_url": url}}],
    )


def download(client, user, doc):
    client.force_login(user)
    return client.get(reverse("downloads:file", args=[doc.pk, "signed"]))


ALLOWED = {"portal.example.com", "dl.example-cdn.com"}


@pytest.mark.parametrize(
    "url",
    [
        "https://other-portal.example.com/file.pdf",
        "https://portal.example.com.evil.net/file.pdf",
        "https://evil.net/portal.example.com/file.pdf",
        "https://portal.example.com@evil.net/file.pdf",
        "https://127.0.0.1/file.pdf",
        "https://localhost/file.pdf",
        "https://[::1]/file.pdf",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.5/file.pdf",
        "https://192.168.1.1/file.pdf",
        "http://portal.example.com/file.pdf",
        "file:///etc/passwd",
        "gopher://portal.example.com:70/_x",
        "ftp://portal.example.com/file.pdf",
        "//evil.net/file.pdf",
        "/relative.pdf",
        "",
    ],
)
def test_the_url_guard_refuses_foreign_and_unsafe_links(url):
    with pytest.raises(ConnectorError) as info:
        ensure_allowed_url(url, allowed_hosts=ALLOWED, require_https=True)
    assert info.value.code == "unsafe_url"
    assert TOKEN not in info.value.message


@pytest.mark.parametrize(
    "url",
    [
        "https://portal.example.com/a.pdf",
        "https://PORTAL.example.com/a",
        "https://dl.example-cdn.com/x",
    ],
)
def test_the_url_guard_allows_the_accounts_own_hosts(url):
    assert ensure_allowed_url(url, allowed_hosts=ALLOWED, require_https=True) == url


def test_loopback_is_fine_when_the_base_url_is_loopback():
    url = "http://127.0.0.1:8000/sandbox/file.pdf"
    assert ensure_allowed_url(url, allowed_hosts={"127.0.0.1"}, require_https=False) == url


@responses.activate
def test_a_link_on_the_account_host_downloads(client, world, account):
    responses.get(f"{BASE}/file.pdf", body=b"%PDF ok", content_type="application/pdf")
    response = download(client, world.alice, doc_with_link(account, f"{BASE}/file.pdf"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF ok"


@responses.activate
def test_a_redirect_to_the_documented_download_host_is_followed(client, world, account):
    responses.get(
        f"{BASE}/file.pdf", status=302, headers={"Location": "https://dl.example-cdn.com/blob/1"}
    )
    responses.get("https://dl.example-cdn.com/blob/1", body=b"%PDF cdn")
    response = download(client, world.alice, doc_with_link(account, f"{BASE}/file.pdf"))
    assert b"".join(response.streaming_content) == b"%PDF cdn"


@pytest.mark.parametrize(
    "url",
    [
        "https://other-portal.example.com/file.pdf",
        "https://127.0.0.1/file.pdf",
        "https://169.254.169.254/latest/meta-data/iam/",
        "https://10.1.2.3/file.pdf",
        "http://portal.example.com/rest/file.pdf",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_FLUSHALL",
    ],
)
@responses.activate(assert_all_requests_are_fired=False)
def test_a_foreign_file_url_is_refused_without_a_request(client, world, account, url):
    response = download(client, world.alice, doc_with_link(account, url))
    assert response.status_code == 502
    assert "refused to fetch" in response.content.decode()
    assert len(responses.calls) == 0
    assert AuditEvent.objects.get(action="download").details["error"] == "unsafe_url"


@pytest.mark.parametrize(
    "location",
    [
        "https://127.0.0.1/internal",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.8/admin",
        "https://other-portal.example.com/file.pdf",
        "http://portal.example.com/rest/file.pdf",
        "file:///etc/passwd",
        "gopher://portal.example.com/_x",
    ],
)
@responses.activate
def test_a_redirect_to_a_foreign_place_is_refused(client, world, account, location):
    responses.get(f"{BASE}/file.pdf", status=302, headers={"Location": location})
    response = download(client, world.alice, doc_with_link(account, f"{BASE}/file.pdf"))
    assert response.status_code == 502
    assert len(responses.calls) == 1  # the hop was checked before any request to it


@responses.activate
def test_a_redirect_chain_through_an_allowed_host_to_a_foreign_one_is_refused(
    client, world, account
):
    responses.get(f"{BASE}/a", status=301, headers={"Location": "https://dl.example-cdn.com/b"})
    responses.get(
        "https://dl.example-cdn.com/b", status=307, headers={"Location": "https://169.254.169.254/"}
    )
    response = download(client, world.alice, doc_with_link(account, f"{BASE}/a"))
    assert response.status_code == 502
    assert len(responses.calls) == 2


@responses.activate
def test_endless_redirects_stop(client, world, account):
    responses.get(f"{BASE}/loop", status=302, headers={"Location": f"{BASE}/loop"})
    response = download(client, world.alice, doc_with_link(account, f"{BASE}/loop"))
    assert response.status_code == 502
    assert len(responses.calls) == 6


@responses.activate
def test_connector_errors_never_log_or_show_secrets(client, world, account, caplog):
    caplog.set_level(logging.DEBUG)
    responses.get(
        f"{BASE}/file.pdf",
        body=requests.ConnectionError(f"Max retries exceeded with url: /file.pdf?auth={TOKEN}"),
    )
    response = download(client, world.alice, doc_with_link(account, f"{BASE}/file.pdf"))
    assert response.status_code == 502
    assert TOKEN not in response.content.decode()
    assert TOKEN not in caplog.text
    event = AuditEvent.objects.get(action="download")
    assert TOKEN not in str(event.details) and TOKEN not in event.target
    # The request did carry the token (so the test would notice if it leaked).
    assert TOKEN in responses.calls[0].request.url


@responses.activate
def test_a_provider_404_says_the_file_is_gone(client, world, account):
    responses.get(f"{BASE}/file.pdf", status=404)
    response = download(client, world.alice, doc_with_link(account, f"{BASE}/file.pdf"))
    assert response.status_code == 404
    assert "no longer available at LinkFetch" in response.content.decode()
