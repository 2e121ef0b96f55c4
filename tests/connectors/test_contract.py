"""The connector contract: what the sync engine, the dashboard and the download proxy rely on.

Every connector app (and a fresh copy of the template) is driven over real HTTP: against its
own sandbox for the happy paths, and against a hostile loopback provider for the unhappy
ones (refusals, outages, garbage, secrets echoed in error words).
"""

from __future__ import annotations

import json
from datetime import UTC

import pytest

from signhub.core.connector import (
    DocumentRecord,
    FileRecord,
    FileStream,
    Page,
    SignerRecord,
    SyncContext,
)
from signhub.core.errors import ConnectorError
from signhub.core.models import ProviderAccount, SignedDocument, SyncRun
from signhub.core.status import DocumentStatus
from signhub.core.sync import sync_account

from .conftest import account_for

SECRET = "S3cr3tT0kenValue42"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjb250cmFjdCJ9.c2lnbmF0dXJlLXNlY3JldC12YWx1ZQ"
# Every error shape the four providers use, each word carrying a secret.
ECHOING_ERROR = {
    "error": "invalid_request",
    "error_description": f"see https://idp.example/cb?access_token={SECRET} or {JWT}",
    "message": f"Unauthorized: /v1/x?access_token={SECRET}&client_secret={SECRET}",
    "code": "invalid_request",
    "request_id": JWT,
    "errors": [
        {
            "error_code": "INVALID_REQUEST",
            "developer_message": f"Bearer {SECRET} for https://api.example/x?access_token={SECRET}",
        }
    ],
}


def listing(connector) -> list[Page]:
    ctx = SyncContext(full=True, state={}, known_ids=lambda ids: set())
    return list(connector.iter_pages(ctx))


def assert_plain_words(message: str) -> None:
    assert message and message.strip() == message
    for leak in (SECRET, "eyJ", "://", "access_token=", "client_secret=", "\n"):
        assert leak not in message, message


def test_pages_yield_document_records_with_known_statuses(sandbox_account):
    connector = sandbox_account.connector()
    pages = listing(connector)

    assert pages and all(isinstance(page, Page) for page in pages)
    records = [record for page in pages for record in page.documents]
    assert records
    ids = [r.external_id for r in records]
    assert len(ids) == len(set(ids)), "a document is yielded once per listing"
    table = type(connector).statuses
    for record in records:
        assert isinstance(record, DocumentRecord)
        assert isinstance(record.external_id, str) and record.external_id
        assert isinstance(record.title, str)
        assert record.status in DocumentStatus.values
        assert record.status != DocumentStatus.UNKNOWN
        assert record.provider_status in table
        assert record.status == table.normalize(record.provider_status)
        for moment in (record.created_at, record.completed_at, record.last_activity_at):
            assert moment is None or moment.tzinfo == UTC
        assert all(isinstance(s, SignerRecord) for s in record.signers)
        assert all(isinstance(f, FileRecord) for f in record.files)
        assert len({f.key for f in record.files}) == len(record.files)
        json.dumps(record.raw)  # the payload is kept as JSON
        json.dumps([f.handle for f in record.files])
    assert any(record.files for record in records)


def test_a_sync_indexes_the_listing_and_a_second_one_adds_nothing(sandbox_account):
    first = sync_account(sandbox_account, full=True)
    assert first.state == SyncRun.State.SUCCEEDED, first.error_message
    count = SignedDocument.objects.filter(account=sandbox_account).count()
    assert first.created == count > 0

    again = sync_account(sandbox_account)
    assert again.state == SyncRun.State.SUCCEEDED, again.error_message
    assert again.created == 0
    assert SignedDocument.objects.filter(account=sandbox_account).count() == count


def test_open_file_streams_the_file_and_an_unknown_key_is_not_found(sandbox_account):
    assert sync_account(sandbox_account, full=True).state == SyncRun.State.SUCCEEDED
    document = next(
        d for d in SignedDocument.objects.filter(account=sandbox_account).order_by("id") if d.files
    )
    connector = sandbox_account.connector()

    stream = connector.open_file(document, document.files[0]["key"])
    assert isinstance(stream, FileStream)
    data = b"".join(stream.chunks)
    stream.close()
    assert data
    assert stream.content_type and ";" not in stream.content_type
    assert stream.size is None or stream.size == len(data)

    with pytest.raises(ConnectorError) as info:
        connector.open_file(document, "no-such-file")
    assert info.value.code == "not_found"
    assert_plain_words(info.value.message)


def test_check_connection_answers_in_words(sandbox_account):
    answer = sandbox_account.connector().check_connection()
    assert isinstance(answer, str) and answer.strip()


@pytest.mark.parametrize("status", [400, 401, 403, 404, 500])
def test_provider_refusals_are_connector_errors_without_secrets(
    db, connector_class, hostile, settings, status
):
    settings.SIGNHUB_HTTP_MAX_ATTEMPTS = 2
    hostile.answer(status, ECHOING_ERROR)
    account = account_for(connector_class, hostile.url)

    with pytest.raises(ConnectorError) as info:
        account.connector().check_connection()
    assert info.value.code
    assert_plain_words(info.value.message)

    run = sync_account(account, full=True)
    assert run.state == SyncRun.State.FAILED
    account = ProviderAccount.objects.get(pk=account.pk)
    assert_plain_words(account.last_error)
    assert_plain_words(run.error_message)
    assert hostile.paths, "the provider was asked"


def test_an_unreachable_provider_is_a_connector_error(db, connector_class, hostile, settings):
    settings.SIGNHUB_HTTP_MAX_ATTEMPTS = 2
    url = hostile.url
    hostile.close()  # nothing listens there any more
    account = account_for(connector_class, url)

    with pytest.raises(ConnectorError) as info:
        account.connector().check_connection()
    assert info.value.code == "connection_error"
    assert info.value.retryable
    assert_plain_words(info.value.message)


def test_a_malformed_answer_is_a_connector_error(db, connector_class, hostile, settings):
    settings.SIGNHUB_HTTP_MAX_ATTEMPTS = 2
    hostile.answer(200, b'{"data": [1, 2')
    account = account_for(connector_class, hostile.url)

    run = sync_account(account, full=True)
    assert run.state == SyncRun.State.FAILED
    assert run.error_code == "malformed_response"
    assert_plain_words(run.error_message)
