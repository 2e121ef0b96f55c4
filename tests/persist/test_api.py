"""The Persist API: every endpoint, both parameter styles, every error code."""

from __future__ import annotations

import base64
import json

import pytest

from signhub.core.models import AuditEvent
from signhub.persist.models import ApiToken, Signature, SignatureChain

from . import pki

pytestmark = pytest.mark.django_db
TS = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"


def test_first_save_is_version_1_in_the_seed_shape(api, cms_b64):
    r = api.save(cms=cms_b64, version_created_by="some_user", version_comment="c", tags=["a", "b"])
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["status"] is True and body["message"] is None
    sig = body["content"]["signature"]
    assert sig["version"] == 1 and sig["parent"] is None
    assert sig["signature"] == sig["cms"] == cms_b64
    assert sig["document"] == "doc_12" and sig["thread"] == "ticket_42"
    assert sig["tags"] == ["a", "b"] and sig["version_created_by"] == "some_user"
    import re

    for key in ("version_created_at", "created_at", "updated_at"):
        assert re.match(TS, sig[key]), sig[key]


def test_next_saves_must_send_the_latest_version(api):
    first = api.save().json()["content"]["signature"]
    second = api.save(version=1)
    assert second.status_code == 201
    assert second.json()["content"]["signature"]["version"] == 2
    assert second.json()["content"]["signature"]["parent"] == first["id"]
    assert api.save(version=3).status_code == 409  # future
    stale = api.save(version=1)
    assert stale.status_code == 409
    body = stale.json()
    assert body["code"] == "version_conflict" and body["current_version"] == 2
    assert "current version is 2" in body["message"] and body["content"] is None
    assert api.save(version=0).status_code == 409  # "first save" on an existing chain
    assert Signature.objects.count() == 2


def test_version_created_by_and_comment_accept_ints_and_store_text(api):
    r = api.save(version_created_by=42, version_comment=7)
    sig = r.json()["content"]["signature"]
    assert sig["version_created_by"] == "42" and sig["version_comment"] == "7"


def test_signature_key_is_accepted_instead_of_cms(api, cms_b64):
    r = api.call("POST", "signature", {"document": "d", "thread": "t", "signature": cms_b64})
    assert r.status_code == 201


def test_xml_signature_is_accepted_raw_or_base64(api):
    xml = pki.xml_signature()
    r1 = api.save(thread="x1", cms=xml.decode())
    r2 = api.save(thread="x2", cms=base64.b64encode(xml).decode())
    assert r1.status_code == r2.status_code == 201
    assert Signature.objects.get(chain__thread="x2").kind == "xml"


def test_form_parameters_work_for_post(client, rw_token, cms_b64):
    r = client.post(
        "/persist/signature",
        {"document": "d", "thread": "t", "cms": cms_b64, "tags": ["x", "y"], "stage": "hr"},
        headers={"Authorization": f"Bearer {rw_token}"},
    )
    assert r.status_code == 201, r.json()
    assert r.json()["content"]["signature"]["tags"] == ["x", "y"]
    r = client.post(
        "/persist/signature",
        f"document=d&thread=t&version=1&cms={cms_b64.replace('+', '%2B')}&tags[]=z",
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": f"Bearer {rw_token}"},
    )
    assert r.status_code == 201, r.json()
    assert r.json()["content"]["signature"]["version"] == 2


def test_json_sent_as_a_form_like_curl_d_is_read_as_json(client, rw_token, cms_b64):
    body = json.dumps({"document": "d", "thread": "t", "cms": cms_b64})
    r = client.post(
        "/persist/signature",
        body,
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": f"Bearer {rw_token}"},
    )
    assert r.status_code == 201


def test_get_latest_or_a_given_version_with_json_body_or_query(api, client, rw_token):
    api.save()
    api.save(version=1, version_comment="second")
    r = api.call("GET", "signature", {"document": "doc_12", "thread": "ticket_42"})
    assert r.status_code == 200 and r.json()["content"]["signature"]["version"] == 2
    r = client.get(
        "/persist/signature?document=doc_12&thread=ticket_42&version=1",
        headers={"Authorization": f"Bearer {rw_token}"},
    )
    assert r.json()["content"]["signature"]["version"] == 1


def test_get_unknown_is_404(api):
    r = api.call("GET", "signature", {"document": "nope", "thread": "t"})
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    api.save()
    r = api.call("GET", "signature", {"document": "doc_12", "thread": "ticket_42", "version": 9})
    assert r.status_code == 404


def test_delete_moves_the_chain_to_the_trash_and_audits_it(api, cms_b64):
    api.save(cms=cms_b64)
    api.save(version=1)
    api.save(thread="other")
    hashes = list(
        Signature.objects.filter(chain__thread="ticket_42")
        .order_by("version")
        .values_list("sha256", flat=True)
    )
    r = api.call("DELETE", "signature", {"document": "doc_12", "thread": "ticket_42"})
    assert r.status_code == 200 and r.json() == {"status": True, "message": None, "content": None}
    # As the seed says: gone for the API (GET 404, not listed, DELETE again 404)...
    r = api.call("GET", "signature", {"document": "doc_12", "thread": "ticket_42"})
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    listed = api.call("GET", "signatures", {"document": "doc_12"}).json()["content"]
    assert [i["chain"] for i in listed["signatures"]] == ["other"]
    r = api.call("DELETE", "signature", {"document": "doc_12", "thread": "ticket_42"})
    assert r.status_code == 404
    # ...but kept in the trash with every version, restorable by an administrator.
    trashed = SignatureChain.objects.in_trash().get(thread="ticket_42")
    assert trashed.versions.count() == 2 and trashed.deleted_by == "token:writer"
    assert SignatureChain.objects.active().filter(thread="other").exists()
    event = AuditEvent.objects.get(action="signature.delete")
    assert event.actor_label == "token:writer" and event.details["versions"] == 2
    assert [b["sha256"] for b in event.details["blobs"]] == hashes
    assert event.details["document"] == "doc_12" and event.details["thread"] == "ticket_42"
    assert event.details["trash_days"] == 30


def test_after_a_delete_the_next_save_starts_a_new_chain(api):
    api.save()
    api.save(version=1)
    api.call("DELETE", "signature", {"document": "doc_12", "thread": "ticket_42"})
    assert api.save(version=2).status_code == 409  # the old chain is gone for the API
    r = api.save()
    assert r.status_code == 201 and r.json()["content"]["signature"]["version"] == 1
    assert SignatureChain.objects.filter(thread="ticket_42").count() == 2


def test_delete_with_query_parameters(api, client, rw_token):
    api.save()
    r = client.delete(
        "/persist/signature?document=doc_12&thread=ticket_42",
        headers={"Authorization": f"Bearer {rw_token}"},
    )
    assert r.status_code == 200


def test_list_newest_first_with_filters_and_count(api, client, rw_token):
    api.save(tags=["a", "b"], stage="s1")
    api.save(version=1, tags=["a"], stage="s2")
    api.save(document="other", tags=["b"])
    r = api.call("GET", "signatures", {})
    items = r.json()["content"]["signatures"]
    assert [i["document"] for i in items] == ["other", "doc_12", "doc_12"]
    assert items[1]["parent"] == items[2]["id"] and items[2]["parent"] is None
    assert items[1]["chain"] == "ticket_42" and "nb_results" not in r.json()["content"]
    r = api.call("GET", "signatures", {"document": "doc_12", "tags": ["a", "b"], "count": True})
    content = r.json()["content"]
    assert content["nb_results"] == 1 and content["signatures"][0]["stage"] == "s1"
    r = client.get(
        "/persist/signatures?chain=ticket_42&stage=s2&count=true",
        headers={"Authorization": f"Bearer {rw_token}"},
    )
    assert r.json()["content"]["nb_results"] == 1
    r = client.get(
        "/persist/signatures?document=doc_12&thread=ticket_42&limit=1&offset=1",
        headers={"Authorization": f"Bearer {rw_token}"},
    )
    assert [i["version"] for i in r.json()["content"]["signatures"]] == [1]
    r = client.get(
        "/persist/signatures?tags=b&tags=a", headers={"Authorization": f"Bearer {rw_token}"}
    )
    assert len(r.json()["content"]["signatures"]) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"thread": "t", "cms": "MAA="}, "document"),
        ({"document": "d", "cms": "MAA="}, "thread"),
        ({"document": "d", "thread": "t"}, "cms"),
        ({"document": "d", "thread": "t", "cms": "not base64!!"}, "cms"),
        ({"document": "d", "thread": "t", "cms": "   "}, "cms"),
        ({"document": "d", "thread": "t", "cms": "aGVsbG8="}, "cms"),  # "hello": not CMS/XML
        ({"document": "d", "thread": "t", "signature": "@@@"}, "signature"),
        ({"document": 5, "thread": "t", "cms": "MAA="}, "document"),
        ({"document": "d", "thread": "t", "cms": "MAA=", "version": "x"}, "version"),
        ({"document": "d", "thread": "t", "cms": "MAA=", "version": -1}, "version"),
        ({"document": "d", "thread": "t", "cms": "MAA=", "version": True}, "version"),
        ({"document": "d", "thread": "t", "cms": "MAA=", "tags": "a"}, "tags"),
        ({"document": "d", "thread": "t", "cms": "MAA=", "version": "1"}, "version"),
        ({"document": "d", "thread": "t", "cms": "MAA=", "version": 1.5}, "version"),
        ({"document": "d", "thread": "t", "cms": "MAA=", "version": 2**64}, "version"),
        (
            {"document": "d", "thread": "t", "cms": "MAA=", "version_comment": 1.5},
            "version_comment",
        ),
        ({"document": "d", "thread": "t", "cms": "MAA=", "stage": 3}, "stage"),
        ({"document": "d\ud800", "thread": "t", "cms": "MAA="}, "document"),
        ({"document": "d", "thread": "t\x00", "cms": "MAA="}, "thread"),
        ({"document": "d", "thread": "t", "cms": "MAA=", "tags": ["\udfff"]}, "tags"),
        (
            {"document": "d", "thread": "t", "cms": "MAA=", "version_created_by": "\ud83d"},
            "version_created_by",
        ),
        ({"document": "d", "thread": "t", "cms": "<x>\ud800</x>"}, "cms"),
        ({"document": "d", "thread": "t", "cms": "MAA=", "tags": [1]}, "tags"),
        ({"document": "d", "thread": "t", "cms": "MAA=", "tags": {"a": 1}}, "tags"),
        (
            {"document": "d", "thread": "t", "cms": "MAA=", "version_comment": ["x"]},
            "version_comment",
        ),
        ({"document": "d" * 256, "thread": "t", "cms": "MAA="}, "document"),
    ],
)
def test_invalid_input_is_400_naming_the_field(api, body, field):
    r = api.call("POST", "signature", body)
    assert r.status_code == 400, r.json()
    assert r.json()["field"] == field and field in r.json()["message"]
    assert r.json()["status"] is False and r.json()["content"] is None


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_non_json_body_is_400(api, body):
    r = api.client.post(
        "/persist/signature", body, content_type="application/json", headers=api.headers()
    )
    assert r.status_code == 400 and r.json()["field"] == "body"


def test_list_limits_are_validated(api):
    for params in ({"limit": 101}, {"limit": 0}, {"offset": -1}, {"count": "maybe"}):
        r = api.call("GET", "signatures", params)
        assert r.status_code == 400 and r.json()["field"] == next(iter(params))


def test_wrong_content_type_is_415(api):
    r = api.client.post(
        "/persist/signature", "<x/>", content_type="application/xml", headers=api.headers()
    )
    assert r.status_code == 415 and r.json()["code"] == "unsupported_media_type"


def test_body_over_the_limit_is_413(api, settings):
    settings.SIGNHUB_PERSIST_MAX_BODY = 1000
    r = api.save(cms=base64.b64encode(b"\x30" + b"a" * 2000).decode())
    assert r.status_code == 413 and r.json()["code"] == "too_large"


def test_default_limit_allows_a_3mb_signature(api):
    # Above Django's own 2.5 MB DATA_UPLOAD_MAX_MEMORY_SIZE: our limit (5 MB) must apply.
    blob = base64.b64encode(pki.make_cms(b"\x00" * 3_000_000)).decode()
    assert len(blob) > 3_000_000
    assert api.save(cms=blob).status_code == 201


def test_no_token_is_401(client):
    r = client.get("/persist/signatures")
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
    assert r["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer nope", "Basic abc", "Bearer "])
def test_bad_token_is_401(client, db, header):
    r = client.get("/persist/signatures", headers={"Authorization": header})
    assert r.status_code == 401


def test_revoked_token_is_401(client, rw_token):
    from django.utils import timezone

    ApiToken.objects.update(revoked_at=timezone.now())
    r = client.get("/persist/signatures", headers={"Authorization": f"Bearer {rw_token}"})
    assert r.status_code == 401


def test_read_only_token_may_read_but_not_write(client, ro_token, cms_b64):
    h = {"Authorization": f"Bearer {ro_token}"}
    assert client.get("/persist/signatures", headers=h).status_code == 200
    r = client.post(
        "/persist/signature",
        {"document": "d", "thread": "t", "cms": cms_b64},
        headers=h,
    )
    assert r.status_code == 403 and r.json()["code"] == "read_only_token"
    assert client.delete("/persist/signature?document=d&thread=t", headers=h).status_code == 403


def test_tokens_are_stored_only_as_a_hash(rw_token):
    token = ApiToken.objects.get()
    assert rw_token not in (token.token_hash, token.prefix)
    assert token.last_used_at is None


def test_staff_session_may_read_not_write_and_csrf_still_applies(client, staff, api):
    from django.contrib.auth.models import Permission

    api.save()
    staff.user_permissions.add(Permission.objects.get(codename="view_signature"))
    client.force_login(staff)
    assert client.get("/persist/signatures").status_code == 200
    assert client.get("/persist/signature?document=doc_12&thread=ticket_42").status_code == 200
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff)
    r = strict.post("/persist/signature", {"document": "d", "thread": "t", "cms": "MAA="})
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    r = client.post("/persist/signature", {"document": "d", "thread": "t", "cms": "MAA="})
    assert r.status_code == 403 and r.json()["code"] == "read_only_session"


def test_bearer_requests_need_no_csrf_token(rw_token, cms_b64, db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    r = strict.post(
        "/persist/signature",
        {"document": "d", "thread": "t", "cms": cms_b64},
        headers={"Authorization": f"Bearer {rw_token}"},
    )
    assert r.status_code == 201


def test_non_staff_session_is_401(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/persist/signatures").status_code == 401


def test_open_networks_allow_token_less_access_only_when_configured(client, settings, cms_b64, db):
    body = {"document": "d", "thread": "t", "cms": cms_b64}
    assert client.post("/persist/signature", body).status_code == 401
    settings.SIGNHUB_PERSIST_OPEN_NETWORKS = ["10.0.0.0/8", "bogus"]
    assert client.post("/persist/signature", body).status_code == 401  # 127.0.0.1 not listed
    r = client.post("/persist/signature", body, REMOTE_ADDR="10.1.2.3")
    assert r.status_code == 201
    r = client.post(
        "/persist/signature",
        {**body, "version": 1},
        REMOTE_ADDR="10.1.2.3",
        headers={"Origin": "http://evil.example"},
    )
    assert r.status_code == 403  # a web page on the network cannot write through it
    settings.SIGNHUB_PERSIST_OPEN_NETWORKS_CAN_WRITE = False
    r = client.post("/persist/signature", {**body, "version": 1}, REMOTE_ADDR="10.1.2.3")
    assert r.status_code == 403
    assert client.get("/persist/signatures", REMOTE_ADDR="10.1.2.3").status_code == 200


def test_wrong_method_is_405(api):
    r = api.call("PUT", "signature", {})
    assert r.status_code == 405 and "GET" in r["Allow"]
    assert api.call("POST", "signatures", {}).status_code == 405


def test_openapi_describes_the_paths_and_codes(client):
    spec = client.get("/persist/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    post = spec["paths"]["/signature"]["post"]["responses"]
    assert {"201", "400", "401", "403", "409", "413", "415"} <= set(post)
    assert set(spec["paths"]["/signature"]) == {"get", "post", "delete"}
    assert set(spec["paths"]["/signatures"]) == {"get"}


def test_create_api_token_command_prints_a_working_token(client, capsys, db):
    from django.core.management import call_command

    call_command("create_api_token", "ci", "--read-write")
    raw = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(name="ci")
    assert token.can_write and raw.startswith("shp_")
    r = client.get("/persist/signatures", headers={"Authorization": f"Bearer {raw}"})
    assert r.status_code == 200
