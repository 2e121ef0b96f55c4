"""The signature viewer: list + filters, detail with decoded CMS/XML, verify, compare, download."""

from __future__ import annotations

import pytest

from signhub.core.models import AuditEvent
from signhub.persist.blobs import Blob
from signhub.persist.services import NewVersion, save_version

from . import pki

pytestmark = pytest.mark.django_db


def make(document="doc_1", thread="t1", base=0, data=None, kind="cms", **extra):
    data = data if data is not None else pki.make_cms()
    return save_version(
        NewVersion(
            document=document, thread=thread, base_version=base, blob=Blob(data, kind), **extra
        )
    )


@pytest.fixture
def logged_in(client, reviewer):
    """A reviewer allowed to see every signature (the `persist.view_signature` permission)."""
    from django.contrib.auth.models import Permission

    reviewer.user_permissions.add(Permission.objects.get(codename="view_signature"))
    client.force_login(reviewer)
    return client


class TestScoping:
    """Without the permission, a reviewer sees only signatures of documents they can see."""

    @pytest.fixture
    def scoped(self, client, reviewer, make_account):
        from django.contrib.auth.models import Group
        from django.utils import timezone

        from signhub.core.index import IndexWriter
        from tests.fakes import make_record

        group = Group.objects.create(name="HR")
        reviewer.groups.add(group)
        mine = make_account(name="mine")
        mine.visible_to.add(group)
        theirs = make_account(name="theirs")
        IndexWriter(mine, timezone.now()).write([make_record(1, external_id="visible-doc")])
        IndexWriter(theirs, timezone.now()).write([make_record(2, external_id="hidden-doc")])
        client.force_login(reviewer)
        return client

    def test_the_list_shows_only_signatures_of_visible_documents(self, scoped):
        make(document="visible-doc")
        make(document="hidden-doc")
        make(document="unlinked")
        r = scoped.get("/signatures/")
        assert b"visible-doc" in r.content
        assert b"hidden-doc" not in r.content and b"unlinked" not in r.content

    def test_detail_compare_and_download_of_a_hidden_signature_are_404(self, scoped):
        hidden = make(document="hidden-doc")
        visible = make(document="visible-doc")
        assert scoped.get(f"/signatures/{hidden.pk}/").status_code == 404
        assert scoped.get(f"/signatures/{hidden.pk}/download/").status_code == 404
        assert scoped.get(f"/signatures/compare/?a={visible.pk}&b={hidden.pk}").status_code == 404
        assert scoped.get(f"/signatures/{visible.pk}/").status_code == 200


def test_anonymous_is_sent_to_login(client):
    assert client.get("/signatures/").status_code == 302


def test_list_shows_one_row_per_chain_with_filters(logged_in):
    make(tags=["hr"], version_created_by="alice")
    make(base=1, tags=["hr", "2025"], version_created_by="bob")
    make(document="doc_2", tags=["sales"])
    r = logged_in.get("/signatures/")
    assert r.status_code == 200
    assert r.content.count(b'href="/signatures/') >= 2
    assert b"bob" in r.content and b"alice" not in r.content  # latest version only
    r = logged_in.get("/signatures/?tags=hr,2025")
    assert b"doc_1" in r.content and b"doc_2" not in r.content
    r = logged_in.get("/signatures/?document=doc_2&date_from=2000-01-01&date_to=2100-01-01")
    assert b"doc_2" in r.content and b">doc_1<" not in r.content
    r = logged_in.get("/signatures/?date_to=2000-01-01")
    assert b"No signatures match" in r.content


def test_list_htmx_gets_only_the_fragment(logged_in):
    make()
    r = logged_in.get("/signatures/", headers={"HX-Request": "true"})
    assert b"<html" not in r.content and b"signature chains" in r.content
    r = logged_in.get(
        "/signatures/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert b"<html" in r.content


def test_bad_filters_are_a_message_not_a_500(logged_in):
    r = logged_in.get("/signatures/?date_from=nope&page=-3")
    assert r.status_code == 200 and b'role="alert"' in r.content


def test_detail_decodes_cms_and_says_valid(logged_in):
    sig = make(version_comment="first signature")
    r = logged_in.get(f"/signatures/{sig.pk}/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "Alice Signer" in html and "Acme Test CA" in html  # signer subject and issuer
    assert "enveloping" in html and "signed_data" in html
    assert "sha256" in html and "rsassa_pkcs1v15" in html
    assert "RSA 2048 bits" in html and "signing_time" in html and "message_digest" in html
    assert "verdict-valid" in html and "not checked" in html
    assert "Embedded certificates (2)" in html


def test_detached_cms_is_valid_over_attributes_and_says_content_not_checked(logged_in):
    sig = make(data=pki.make_cms(detached=True))
    html = logged_in.get(f"/signatures/{sig.pk}/").content.decode()
    assert "detached" in html and "not checked (detached" in html


def test_tampered_signature_shows_invalid(logged_in):
    sig = make(data=pki.tamper_signature(pki.make_cms()))
    html = logged_in.get(f"/signatures/{sig.pk}/").content.decode()
    assert "verdict-invalid" in html and "does not match" in html
    assert "verdict-valid" not in html


def test_tampered_content_shows_invalid(logged_in):
    der = pki.tamper_content(pki.make_cms(b"pay 100 EUR"), b"pay 100 EUR", b"pay 999 EUR")
    sig = make(data=der)
    html = logged_in.get(f"/signatures/{sig.pk}/").content.decode()
    assert "verdict-invalid" in html and "messageDigest" in html


def test_unparseable_blob_shows_why_and_never_breaks(logged_in):
    sig = make(data=b"\x30\x82\xff\xffgarbage")
    r = logged_in.get(f"/signatures/{sig.pk}/")
    assert r.status_code == 200 and b"could not be fully read" in r.content
    assert b"cannot verify" in r.content


def test_xml_signature_is_described_and_not_claimed_valid(logged_in):
    sig = make(data=pki.xml_signature(), kind="xml")
    html = logged_in.get(f"/signatures/{sig.pk}/").content.decode()
    assert "xmldsig-more#rsa-sha256" in html and "xmlenc#sha256" in html
    assert "Alice Signer" in html and "cannot verify" in html and "verdict-valid" not in html


def test_xml_with_a_dtd_is_refused_by_defusedxml(logged_in):
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    sig = make(data=bomb, kind="xml")
    r = logged_in.get(f"/signatures/{sig.pk}/")
    assert r.status_code == 200 and b"DTDs and entities are not allowed" in r.content


def test_stepping_through_versions_with_htmx_returns_the_panel(logged_in):
    v1 = make()
    v2 = make(base=1, data=pki.make_cms(signer_name="Bob Signer"))
    html = logged_in.get(f"/signatures/{v2.pk}/").content.decode()
    assert f'href="/signatures/{v1.pk}/"' in html and "hx-push-url" in html
    r = logged_in.get(f"/signatures/{v1.pk}/", headers={"HX-Request": "true"})
    assert b"<html" not in r.content and b"Version 1" in r.content and b"Alice Signer" in r.content


def test_compare_shows_what_changed(logged_in):
    v1 = make(version_comment="draft", tags=["a"])
    v2 = make(
        base=1, data=pki.make_cms(signer_name="Bob Signer"), version_comment="final", tags=["a"]
    )
    r = logged_in.get(f"/signatures/compare/?a={v2.pk}&b={v1.pk}")
    html = r.content.decode()
    assert r.status_code == 200
    assert html.index("draft") < html.index("final")  # older on the left
    assert "Bob Signer" in html and "Alice Signer" in html
    changed = [line for line in html.splitlines() if 'class="changed"' in line]
    assert any("Comment" in line for line in changed) and any("Signers" in line for line in changed)
    assert not any(">Tags<" in line for line in changed)


def test_compare_needs_two_versions(logged_in):
    assert logged_in.get("/signatures/compare/?a=x").status_code == 400
    assert logged_in.get("/signatures/compare/?a=998&b=999").status_code == 404


def test_download_returns_the_raw_blob_and_audits(logged_in):
    der = pki.make_cms()
    sig = make(document="doc/../1", data=der)
    r = logged_in.get(f"/signatures/{sig.pk}/download/")
    assert r.status_code == 200 and r.content == der
    assert r["Content-Type"] == "application/pkcs7-signature"
    assert 'filename="doc_.._1-t1-v1.p7s"' in r["Content-Disposition"]
    assert AuditEvent.objects.filter(action="signature.download", bytes=len(der)).exists()
    xml = make(thread="x", data=pki.xml_signature(), kind="xml")
    r = logged_in.get(f"/signatures/{xml.pk}/download/")
    assert r["Content-Disposition"].endswith('.xml"')
    assert logged_in.get("/signatures/999/download/").status_code == 404


def test_admin_creates_a_token_and_shows_it_once(admin_client):
    from signhub.persist.models import ApiToken

    r = admin_client.post(
        "/admin/persist/apitoken/add/", {"name": "erp", "can_write": "on"}, follow=True
    )
    assert r.status_code == 200
    token = ApiToken.objects.get(name="erp")
    shown = [str(m) for m in r.context["messages"]]
    assert any("shp_" in m for m in shown)
    raw = next(m for m in shown if "shp_" in m).split(": ", 1)[1].split(" ")[0]
    from signhub.persist.models import hash_token

    assert hash_token(raw) == token.token_hash and token.can_write
    again = admin_client.get(f"/admin/persist/apitoken/{token.pk}/change/")
    assert raw.encode() not in again.content
