"""Provider words are scrubbed of URLs, query strings and tokens before they are stored or
shown (the accounts panel, the list banner, the admin), keeping the code and the reason."""

from __future__ import annotations

import pytest
import responses

from signhub.core.errors import ConnectorError
from signhub.core.http import HttpClient
from signhub.core.models import ProviderAccount, SyncRun
from signhub.core.redact import redact, safe_code
from signhub.core.sync import sync_account
from tests.fakes import FakeConnector

JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJhbGljZSIsImV4cCI6MX0.c2lnbmF0dXJl"
URL = "https://api.example.com/v1/list"


@pytest.mark.parametrize(
    ("words", "kept", "gone"),
    [
        (f"Unauthorized request to {URL}?access_token=abc123", "Unauthorized request to", "abc123"),
        ("invalid_grant: /oauth/token?client_secret=hunter2&x=1", "invalid_grant", "hunter2"),
        (f"token {JWT} expired", "expired", "eyJ"),
        ('{"access_token": "zzz-secret", "error": "bad"}', '"error": "bad"', "zzz-secret"),
        ("Authorization: Bearer abcdefghijk123 rejected", "rejected", "abcdefghijk123"),
        ("client_secret=hunter2, client_id=abc", "client_id=abc", "hunter2"),
        ("api key 0123456789abcdef0123456789abcdef01 is wrong", "is wrong", "0123456789abcdef"),
        ("see www.evil.example/x?auth=1 now", "now", "evil.example"),
        ("line one\nline two\x00\x07", "line one line two", "\n"),
    ],
)
def test_secrets_urls_and_queries_are_replaced_and_the_reason_kept(words, kept, gone):
    scrubbed = redact(words)
    assert kept in scrubbed
    assert gone not in scrubbed
    assert "://" not in scrubbed


def test_plain_provider_words_stay_as_they_are():
    for words in (
        "Invalid Document ID 6f1c1d2e-6b0e-4b55-9a53-3b0f1f5e0b0c",
        "The refresh token is invalid (Box request id 3fa8a92c1b2d)",
        "Invalid code: ENVELOPE_NOT_FOUND. What now?",
        " (leading space kept for a detail suffix)",
    ):
        assert redact(words) == words


def test_long_words_are_shortened_and_codes_stay_identifiers():
    assert redact("x" * 50, limit=10) == "x" * 9 + "…"
    assert safe_code("ENVELOPE NOT/FOUND?x=1") == "ENVELOPENOTFOUNDx1"
    assert safe_code("") == "error"
    assert len(safe_code("A" * 200)) == 64


@responses.activate
def test_the_core_defaults_scrub_what_describe_hooks_return():
    def careless(response):  # a hook that forgot to scrub
        return "bad", f": {response.json()['message']}"

    responses.get(URL, status=400, json={"message": f"see {URL}?access_token=T0KEN {JWT}"})
    with pytest.raises(ConnectorError) as info:
        HttpClient(name="Example", describe=careless).request_json("GET", URL)
    assert info.value.code == "bad"
    assert "T0KEN" not in info.value.message and "eyJ" not in info.value.message
    assert info.value.message.startswith("Example refused the request (400 bad): see [link]")


def test_the_sync_stores_scrubbed_words_whatever_a_connector_raised(make_account):
    account = make_account("fake")
    FakeConnector.data[account.name] = [
        ConnectorError(f"Provider said: {URL}?access_token=T0KEN ({JWT})", code="weird code!")
    ]

    run = sync_account(account)

    assert run.state == SyncRun.State.FAILED
    account = ProviderAccount.objects.get(pk=account.pk)
    for text in (run.error_message, account.last_error):
        assert text == "Provider said: [link] ([redacted])"
    assert run.error_code == account.last_error_code == "weirdcode"


def test_reviewers_see_the_reason_but_never_the_token(make_account, client, django_user_model):
    account = make_account("fake", name="Leaky provider")
    FakeConnector.data[account.name] = [
        ConnectorError(f"Denied by {URL}?access_token=T0KEN for {JWT}", code="denied")
    ]
    assert sync_account(account).state == SyncRun.State.FAILED
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.com", "pw"))

    for page in ("/accounts/", "/documents/"):
        html = client.get(page).content.decode()
        assert "Denied by [link]" in html, page
        assert "T0KEN" not in html and "eyJ" not in html and "example.com/v1" not in html
