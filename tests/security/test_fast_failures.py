"""Failures are fast and keep the way back (issue 20, "Failures are slow").

A download from a provider that accepts the connection and never answers used to be a
blank wait (30 s timeouts, retried) before an error page whose "Back to the documents"
lost the list's filters. Downloads now share Test connection's patience
(`signhub/core/http/patience.py`: one attempt, 3 s connect, 6 s read).
"""

from __future__ import annotations

import re
import socket
import time
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from signhub.core.errors import NotFound
from signhub.core.http import HttpClient
from signhub.core.http.patience import interactive_timeouts, make_interactive
from signhub.core.models import AuditEvent
from signhub.dashboard.back import safe_list_link

from .conftest import make_document
from .connectors import ScriptedConnector

FILTERS = "status=completed&q=alphaleak&sort=-created&per_page=50"


@pytest.fixture
def black_hole():
    """A loopback socket that accepts connections and never sends a byte."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


@pytest.fixture
def silent_document(world, make_account, black_hole):
    account = make_account("linkfetch", name="Silent portal", base_url=black_hole)
    account.visible_to.add(*world.alice.groups.all())
    return make_document(
        account,
        "SILENT",
        files=[
            {
                "key": "signed",
                "name": "contract.pdf",
                "kind": "signed",
                "handle": {"file_url": f"{black_hole}/file.pdf"},
            }
        ],
    )


def back_href(html: str) -> str:
    match = re.search(r'<a href="([^"]*)">Back to the documents</a>', html)
    assert match, html
    return unescape(match.group(1))


def test_a_download_from_a_silent_provider_answers_within_ten_seconds(
    client, world, silent_document
):
    """The real defaults against the black hole: the error page, not a 30 s+ wait."""
    client.force_login(world.alice)
    url = reverse("downloads:file", args=[silent_document.pk, "signed"])
    started = time.monotonic()
    response = client.get(url, {"back": f"/documents/?{FILTERS}"})
    elapsed = time.monotonic() - started
    assert elapsed < 10, elapsed
    assert response.status_code == 504
    html = response.content.decode()
    assert "did not answer in time" in html
    assert "did not answer within 6 s" in html  # the provider message, with the real timeout
    back = urlsplit(back_href(html))
    assert back.path == "/documents/"
    assert parse_qs(back.query) == parse_qs(FILTERS)
    event = AuditEvent.objects.get(action="download")
    assert (event.result, event.details["error"]) == ("error", "timeout")


def test_downloads_and_test_connection_share_one_patience(settings):
    settings.SIGNHUB_INTERACTIVE_CONNECT_TIMEOUT = 2
    settings.SIGNHUB_INTERACTIVE_READ_TIMEOUT = 5
    http = make_interactive(HttpClient(name="x"))
    assert http.timeout == interactive_timeouts() == (2.0, 5.0)
    assert (http.max_attempts, http.max_wait) == (1, 0)


def test_the_connect_timeout_is_shorter_than_the_read_timeout():
    connect, read = interactive_timeouts()
    assert connect < read and connect + read < 10


@pytest.fixture
def missing(world):
    """A download that fails at once (the provider no longer has the file)."""
    doc = world.docs_a[0]
    ScriptedConnector.files[("Account Alpha", doc.external_id, "signed")] = NotFound("gone")
    return reverse("downloads:file", args=[doc.pk, "signed"])


def test_the_back_link_falls_back_to_the_referer_of_the_list(client, world, missing):
    client.force_login(world.alice)
    url = missing
    response = client.get(url, HTTP_REFERER=f"http://testserver/documents/?{FILTERS}")
    assert parse_qs(urlsplit(back_href(response.content.decode())).query) == parse_qs(FILTERS)


@pytest.mark.parametrize(
    "back",
    [
        "https://evil.example/documents/?q=x",
        "//evil.example/documents/",
        "/\\evil.example/documents/",
        "javascript:alert(1)",
        "/admin/",
        "/documents/1/",
        "/documents/?q=x\x00",
        "/documents/?q=a b",
        '/documents/?q="><script>',
        "/documents/#x",
        "/documents/?" + "a=b&" * 600,
    ],
)
def test_only_a_same_site_list_link_is_accepted(client, world, missing, back):
    client.force_login(world.alice)
    url = missing
    response = client.get(url, {"back": back}, HTTP_REFERER="https://evil.example/documents/")
    href = back_href(response.content.decode())
    assert href.startswith("/documents/") and not href.startswith("//")
    assert "evil" not in href and "<" not in href and '"' not in href
    if back.startswith('/documents/?q="'):
        assert href == "/documents/?q=%22%3E%3Cscript%3E"
    else:
        assert href == "/documents/"


def test_a_list_link_is_re_encoded():
    assert safe_list_link("/documents/?q=a+b&status=completed") == (
        "/documents/?q=a+b&status=completed"
    )
    assert safe_list_link("/documents/?q=%3Cb%3E&x") == "/documents/?q=%3Cb%3E&x="


def test_download_links_on_the_list_carry_its_filters(client, world):
    client.force_login(world.alice)
    html = client.get(f"/documents/?{FILTERS}").content.decode()
    links = re.findall(r'href="(/documents/\d+/download/[^"]+)"', html)
    assert links
    for link in links:
        back = parse_qs(urlsplit(unescape(link)).query)["back"][0]
        assert parse_qs(urlsplit(back).query) == parse_qs(FILTERS)


def test_download_links_in_the_detail_drawer_carry_the_lists_filters(client, world):
    client.force_login(world.alice)
    doc = world.docs_a[0]
    html = client.get(
        f"/documents/{doc.pk}/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="detail",
        HTTP_HX_CURRENT_URL=f"http://testserver/documents/?{FILTERS}",
    ).content.decode()
    links = re.findall(r'href="(/documents/\d+/download/[^"]+)"', html)
    assert links
    back = parse_qs(urlsplit(unescape(links[0])).query)["back"][0]
    assert parse_qs(urlsplit(back).query) == parse_qs(FILTERS)
    plain = client.get(f"/documents/{doc.pk}/").content.decode()
    assert "?back=" not in plain
