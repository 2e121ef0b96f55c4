"""Downloads: re-list with a fresh token, fetch only from the portal, stream the bytes."""

import pytest
import responses

from signhub.core.errors import ConnectorError
from signhub.core.models import SignedDocument
from signhub.core.sync import sync_account

from .conftest import BASE, OAUTH_URL, PERSONAL_URL, load, personal_row

PDF = b"%PDF-1.4 signed" * 10000


@pytest.fixture
def document(account, portal):
    account.options = {"lists": "personal"}
    account.save()
    portal.lists["sign.b2e.personal.tail"] = [personal_row(i) for i in range(80, 0, -1)]
    assert sync_account(account, full=True).state == "succeeded"
    portal.calls.clear()
    return SignedDocument.objects.get(account=account, external_id="20")


def file_url(doc_id):
    return f"{BASE}/rest/download.json?auth=SECRETACCESSTOKEN0001&token=sign.b2e%7C{doc_id}"


def test_it_relists_to_a_fresh_link_and_streams_the_file(account, document, rsps, portal):
    rsps.get(
        f"{BASE}/rest/download.json",
        body=PDF,
        content_type="application/pdf",
        headers={
            "Content-Disposition": "attachment; filename*=UTF-8''Vertrag%20%C3%84.pdf",
            "Content-Length": str(len(PDF)),
        },
    )

    stream = account.connector().open_file(document, "signed")
    data = b"".join(stream.chunks)
    stream.close()

    assert data == PDF
    assert stream.content_type == "application/pdf"
    assert stream.filename == "Vertrag Ä.pdf"
    assert stream.size == len(PDF)
    assert portal.offsets("sign.b2e.personal.tail") == [0, 50]  # id 20 is on page 2
    download = rsps.calls[-1].request
    assert download.headers["Referer"] == f"{BASE}/"
    assert download.headers["Accept"] == "*/*"
    assert download.headers["User-Agent"]


def test_a_link_to_another_host_is_refused(account, document, rsps, portal):
    portal.lists["sign.b2e.personal.tail"][60]["file_url"] = (
        "https://evil.example.com/x?auth=SECRETACCESSTOKEN0001"
    )
    with pytest.raises(ConnectorError) as exc:
        account.connector().open_file(document, "signed")
    assert exc.value.code == "unsafe_url"
    assert not any("evil" in c.request.url for c in rsps.calls)


def test_an_expired_token_while_downloading_refreshes_and_relists(account, document, rsps):
    rsps.get(f"{BASE}/rest/download.json", status=401, json=load("error_expired_token"))
    rsps.get(f"{BASE}/rest/download.json", body=PDF, content_type="application/pdf")
    rsps.get(OAUTH_URL, json=load("token_refresh"))

    stream = account.connector().open_file(document, "signed")
    assert b"".join(stream.chunks) == PDF
    stream.close()
    list_bodies = [c.request.body for c in rsps.calls if c.request.url == PERSONAL_URL]
    assert b"NEWACCESSTOKEN0002" in list_bodies[-1]


def test_a_document_no_longer_listed_is_not_found(account, document, portal):
    portal.lists["sign.b2e.personal.tail"] = [personal_row(i) for i in range(80, 20, -1)]
    with pytest.raises(ConnectorError) as exc:
        account.connector().open_file(document, "signed")
    assert exc.value.code == "not_found"
    # Newest first: the search stops on the first page entirely older than id 20... or at
    # the empty page; either way it never walks past the end.
    assert portal.offsets("sign.b2e.personal.tail") == [0, 50, 60]


def test_an_unknown_file_key_is_not_found(account, document):
    with pytest.raises(ConnectorError) as exc:
        account.connector().open_file(document, "audit")
    assert exc.value.code == "not_found"


@responses.activate
def test_the_early_stop_on_older_pages(account, make_account):
    from signhub.connectors.bitrix24.connector import Bitrix24Connector

    page = {"result": [personal_row(i) for i in range(10, 5, -1)], "time": {}}
    responses.post(PERSONAL_URL, json=page)
    connector = Bitrix24Connector(account)
    assert connector._find_row("personal", 50) is None
    assert len(responses.calls) == 1
