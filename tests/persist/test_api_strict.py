"""The stricter Persist API: only real signatures are stored, JSON is typed, times mean what
the seed shows, nesting and Unicode are bounded, sessions see what the viewer shows."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from django.utils import timezone

from signhub.persist.models import Signature, SignatureChain

from . import pki

pytestmark = pytest.mark.django_db


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.mark.parametrize(
    ("cms", "words"),
    [
        (b64(b"hello"), "neither DER CMS SignedData nor an XML signature"),
        (b64(b"\x30\x03\x02\x01"), "not DER-encoded CMS"),
        (b64(pki.make_cms()[:200]), "not DER-encoded CMS"),
        (b64(b"<contract><name>Alice</name></contract>"), "XML without a ds:Signature"),
        ("<contract><name>Alice</name></contract>", "XML without a ds:Signature"),
        ("<contract><unclosed></contract>", "not well-formed XML"),
        ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "DTDs and entities"),
    ],
)
def test_a_cms_that_is_not_a_signature_is_400_invalid_signature(api, cms, words):
    r = api.save(cms=cms)
    body = r.json()
    assert r.status_code == 400 and body["code"] == "invalid_signature", body
    assert body["field"] == "cms" and words in body["message"]
    assert Signature.objects.count() == 0


def test_a_cms_that_is_not_signed_data_is_named(api):
    from asn1crypto import cms as asn1_cms

    data = asn1_cms.ContentInfo({"content_type": "data", "content": b"x"}).dump()
    body = api.save(cms=b64(data)).json()
    assert (
        body["code"] == "invalid_signature" and "data structure, not SignedData" in body["message"]
    )


def test_the_signature_key_is_named_in_the_error(api):
    body = api.call("POST", "signature", {"document": "d", "thread": "t", "signature": b64(b"x")})
    assert body.json()["field"] == "signature" and body.json()["code"] == "invalid_signature"


def test_real_signatures_are_stored(api):
    assert api.save(thread="cms", cms=b64(pki.make_cms())).status_code == 201
    assert api.save(thread="xml", cms=pki.xml_signed().decode()).status_code == 201
    assert api.save(thread="xml64", cms=b64(pki.xml_signed())).status_code == 201
    kinds = dict(Signature.objects.values_list("chain__thread", "kind"))
    assert kinds == {"cms": "cms", "xml": "xml", "xml64": "xml"}


def test_opaque_blobs_only_with_the_setting(api, settings):
    assert api.save(cms=b64(b"opaque")).status_code == 400
    settings.SIGNHUB_PERSIST_ALLOW_OPAQUE = True
    r = api.save(cms=b64(b"opaque"))
    assert r.status_code == 201 and Signature.objects.get().kind == "raw"
    assert api.save(version=1, cms="not base64!!").status_code == 400  # still base64


def test_times_chain_created_version_created_and_chain_updated(api, monkeypatch):
    day1 = dt.datetime(2021, 2, 18, 15, 0, tzinfo=dt.UTC)
    day2 = dt.datetime(2021, 2, 19, 15, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: day1)
    first = api.save().json()["content"]["signature"]
    monkeypatch.setattr(timezone, "now", lambda: day2)
    second = api.save(version=1).json()["content"]["signature"]
    assert first["created_at"] == first["version_created_at"] == "2021-02-18 15:00:00"
    assert second["created_at"] == "2021-02-18 15:00:00"  # the chain's creation
    assert second["version_created_at"] == "2021-02-19 15:00:00"  # this version's
    assert second["updated_at"] == "2021-02-19 15:00:00"  # the chain's last change
    v1 = api.call("GET", "signature", {"document": "doc_12", "thread": "ticket_42", "version": 1})
    v1 = v1.json()["content"]["signature"]
    assert (v1["version_created_at"], v1["updated_at"]) == (
        "2021-02-18 15:00:00",
        "2021-02-19 15:00:00",
    )
    items = api.call("GET", "signatures", {}).json()["content"]["signatures"]
    assert [i["version_created_at"] for i in items] == [
        "2021-02-19 15:00:00",
        "2021-02-18 15:00:00",
    ]
    assert {i["created_at"] for i in items} == {"2021-02-18 15:00:00"}


@pytest.mark.parametrize("token", ["rw_token", "ro_token"])
def test_deep_json_is_400_before_parsing(client, request, token):
    raw = request.getfixturevalue(token)
    headers = {"Authorization": f"Bearer {raw}"}
    for method, path in [("GET", "signatures"), ("GET", "signature"), ("POST", "signature")]:
        r = client.generic(
            method,
            f"/persist/{path}",
            "[" * 100_000,
            content_type="application/json",
            headers=headers,
        )
        if method == "POST" and token == "ro_token":
            assert r.status_code == 403  # refused before the body is read
            continue
        assert r.status_code == 400, (method, path, r.content[:200])
        assert r.json()["code"] == "invalid_json" and "deeper than 32" in r.json()["message"]
    nested_ok = json.dumps({"document": "d", "thread": "t", "x": [[[[1]]]]})
    r = client.generic(
        "GET", "/persist/signature", nested_ok, content_type="application/json", headers=headers
    )
    assert r.status_code == 404
    quoted = json.dumps({"document": "[" * 1000, "thread": "t"})
    r = client.generic(
        "GET", "/persist/signature", quoted, content_type="application/json", headers=headers
    )
    assert r.status_code == 400 and r.json()["field"] == "document"  # too long, not too deep


def test_json_types_are_strict_but_query_text_is_parsed(api, client, rw_token):
    api.save(tags=["a"])
    h = {"Authorization": f"Bearer {rw_token}"}
    assert client.get("/persist/signatures?tags=a&count=true&limit=5", headers=h).status_code == 200
    for body in ({"count": "true"}, {"limit": "5"}, {"tags": "a"}, {"offset": 1.5}, {"count": 1}):
        r = api.call("GET", "signatures", body)
        assert r.status_code == 400 and r.json()["field"] == next(iter(body)), body


def test_body_wins_over_the_query_but_the_query_must_be_valid_too(api, client, rw_token):
    api.save(document="from-body")
    h = {"Authorization": f"Bearer {rw_token}"}
    body = json.dumps({"document": "from-body", "thread": "ticket_42"})
    r = client.generic(
        "GET", "/persist/signature?document=other", body, content_type="application/json", headers=h
    )
    assert r.status_code == 200 and r.json()["content"]["signature"]["document"] == "from-body"
    r = client.generic(
        "GET",
        "/persist/signatures?limit=0",
        json.dumps({"limit": 5}),
        content_type="application/json",
        headers=h,
    )
    assert r.status_code == 400 and r.json()["field"] == "limit"


def test_ids_and_numbers_are_bounded(api):
    for value in (2**63, 2**64 + 1, -(2**63), 10**30):
        r = api.call("GET", "signature", {"document": "d", "thread": "t", "version": value})
        assert r.status_code == 400 and r.json()["field"] == "version"
    r = api.call("GET", "signatures", {"offset": 2**64})
    assert r.status_code == 400 and r.json()["field"] == "offset"
    r = api.client.get("/persist/signatures?offset=99999999999999999999999", headers=api.headers())
    assert r.status_code == 400


class TestStaffSessionsSeeWhatTheViewerShows:
    """Issue 15, finding 4: a session reads only signatures of documents it may see."""

    @pytest.fixture
    def scoped(self, client, staff, two_accounts, api):
        two_accounts(staff)
        for document in ("visible-doc", "hidden-doc", "unlinked"):
            assert api.save(document=document).status_code == 201
        client.force_login(staff)
        return client

    def test_the_list_holds_only_visible_documents(self, scoped):
        items = scoped.get("/persist/signatures?count=true").json()["content"]
        assert [i["document"] for i in items["signatures"]] == ["visible-doc"]
        assert items["nb_results"] == 1

    def test_a_hidden_signature_is_404_like_in_the_viewer(self, scoped):
        ok = scoped.get("/persist/signature?document=visible-doc&thread=ticket_42")
        assert ok.status_code == 200
        for document in ("hidden-doc", "unlinked"):
            r = scoped.get(f"/persist/signature?document={document}&thread=ticket_42")
            assert r.status_code == 404 and r.json()["code"] == "not_found"

    def test_tokens_keep_full_access(self, scoped, api):
        items = api.call("GET", "signatures", {}).json()["content"]["signatures"]
        assert {i["document"] for i in items} == {"visible-doc", "hidden-doc", "unlinked"}

    def test_the_view_permission_sees_everything(self, scoped, staff):
        from django.contrib.auth.models import Permission

        staff.user_permissions.add(Permission.objects.get(codename="view_signature"))
        items = scoped.get("/persist/signatures").json()["content"]["signatures"]
        assert len(items) == 3


def test_the_race_on_a_new_chain_leaves_one_chain(api):
    assert api.save().status_code == 201
    assert api.save().status_code == 409  # a second "first save" is a conflict
    assert SignatureChain.objects.count() == 1
