"""Signer and employee filters (issue 15, finding 3): an address that signed nothing is an
empty list, not a 500, and one that signed only in accounts hidden from the reviewer gets
exactly the same answer (nothing computed from documents they cannot see)."""

from __future__ import annotations

import re

import pytest

from .conftest import SignerRecord, index, make_record

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Target": "results"}


@pytest.fixture
def hidden_signer(accounts):
    """hidden@example.com signed two documents, both in account B (group B only)."""
    _, b = accounts
    index(
        b,
        [
            make_record(
                i,
                signers=[SignerRecord(email="hidden@example.com", name="Hidden", order=1)],
                sender_email="hidden@example.com" if i == 51 else "hr@example.com",
            )
            for i in (50, 51)
        ],
    )


def answer(client, params: dict, headers: dict | None = None) -> str:
    """The response as the user sees it, minus the per-request CSRF token."""
    response = client.get("/documents/", params, headers=headers or {})
    assert response.status_code == 200
    return re.sub(r'value="[^"]{32,}"|"X-CSRFToken": "[^"]+"', "", response.content.decode())


@pytest.mark.parametrize("param", ["signer", "person"])
@pytest.mark.parametrize("headers", [None, HTMX], ids=["page", "htmx"])
def test_an_address_that_signed_nothing_is_an_empty_list(client, superuser, docs, param, headers):
    client.force_login(superuser)
    page = answer(client, {param: "nobody@example.com"}, headers)
    assert "No documents match these filters" in page


@pytest.mark.parametrize("param", ["signer", "person"])
@pytest.mark.parametrize("headers", [None, HTMX], ids=["page", "htmx"])
def test_signing_where_you_cannot_look_is_the_same_as_signing_nothing(
    client, reviewer_a, docs, hidden_signer, param, headers
):
    client.force_login(reviewer_a)
    hidden = answer(client, {param: "hidden@example.com"}, headers)
    nothing = answer(client, {param: "nobody@example.com"}, headers)

    def same(page: str, address: str) -> str:
        return page.replace(address, "X").replace(address.replace("@", "%40"), "X")

    assert same(hidden, "hidden@example.com") == same(nothing, "nobody@example.com")
    assert "No documents match these filters" in hidden


def test_the_party_filters_still_find_visible_documents(client, reviewer_b, docs, hidden_signer):
    client.force_login(reviewer_b)
    response = client.get("/documents/", {"signer": "hidden@example.com"})
    assert {d.external_id for d in response.context["page"].rows} == {"doc-50", "doc-51"}
    assert response.context["counts"].total == 2
    response = client.get("/documents/", {"person": "hidden@example.com"})
    assert response.context["counts"].total == 2


def test_counts_of_an_empty_filter_are_zero(docs):
    from signhub.core.models import SignedDocument
    from signhub.dashboard import estimates, queries

    empty = SignedDocument.objects.filter(pk__in=[])
    counts = queries.count_documents(empty, [], cap=10)
    assert counts.total == 0 and not counts.total_capped
    assert estimates.sample_estimate(empty, size=1).total == 0
    assert estimates.estimate_rows(empty) in (0, None)
