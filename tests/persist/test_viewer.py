"""The signature viewer: list + filters, detail with decoded CMS/XML, verify, compare, download."""

from __future__ import annotations

import pytest

from signhub.core.models import AuditEvent
from signhub.persist.blobs import Blob
from signhub.persist.models import Signature
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
    def scoped(self, client, reviewer, two_accounts):
        two_accounts(reviewer)
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
    assert b"<html" not in r.content and b"1 signature chain" in r.content
    r = logged_in.get(
        "/signatures/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert b"<html" in r.content


def test_bad_filters_are_a_message_not_a_500(logged_in):
    r = logged_in.get("/signatures/?date_from=nope&page=-3")
    assert r.status_code == 200 and b'role="alert"' in r.content


def test_detail_decodes_cms_and_gives_one_verdict(logged_in):
    sig = make(version_comment="first signature")
    r = logged_in.get(f"/signatures/{sig.pk}/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "Alice Signer" in html and "Acme Test CA" in html  # signer subject and issuer
    assert "enveloping" in html and "signed_data" in html
    assert "sha256" in html and "rsassa_pkcs1v15" in html
    assert "RSA 2048 bits" in html and "Signing time" in html and "Message digest" in html
    # No anchor configured: intact, but never "passed".
    assert 'data-verdict="indeterminate" data-verdict-scope="overall"' in html
    assert 'data-verdict="indeterminate" data-verdict-scope="signer"' in html
    assert "no trust anchor" in html and "passed" in html  # the integrity check passed
    assert "Embedded certificates (2)" in html


def test_with_the_anchor_the_same_version_passes(logged_in, settings, tmp_path):
    settings.SIGNHUB_TRUST_ROOTS = str(pki.write_trust_bundle(tmp_path / "anchors.pem"))
    sig = make()
    html = logged_in.get(f"/signatures/{sig.pk}/").content.decode()
    assert 'data-verdict="passed" data-verdict-scope="overall"' in html
    assert html.count('data-verdict="passed" data-verdict-scope="signer"') == 1


def test_every_verdict_element_is_machine_readable(logged_in):
    import re

    sig = make()
    html = logged_in.get(f"/signatures/{sig.pk}/").content.decode()
    scopes = re.findall(r'data-verdict="(\w+)" data-verdict-scope="(\w+)"', html)
    assert [s for _, s in scopes].count("overall") == 1
    assert {v for v, _ in scopes} <= {"passed", "indeterminate", "failed"}


def test_detached_cms_is_indeterminate_until_its_content_is_uploaded(logged_in, settings, tmp_path):
    settings.SIGNHUB_TRUST_ROOTS = str(pki.write_trust_bundle(tmp_path / "anchors.pem"))
    content = b"the signed employment contract"
    sig = make(data=pki.make_cms(content, detached=True))
    html = logged_in.get(f"/signatures/{sig.pk}/").content.decode()
    assert 'data-verdict="indeterminate" data-verdict-scope="overall"' in html
    assert "not available to check" in html and "Check the content" in html
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = f"/signatures/{sig.pk}/check-content/"
    r = logged_in.post(url, {"content": SimpleUploadedFile("contract.pdf", content)})
    html = r.content.decode()
    assert r.status_code == 200 and 'data-verdict="passed" data-verdict-scope="overall"' in html
    assert "contract.pdf" in html and "not stored" in html
    r = logged_in.post(url, {"content": SimpleUploadedFile("other.pdf", b"something else")})
    assert 'data-verdict="failed" data-verdict-scope="overall"' in r.content.decode()
    assert logged_in.post(url, {}).status_code == 400
    assert Signature.objects.count() == 1 and bytes(Signature.objects.get().blob) != content


def test_tampered_signature_is_failed(logged_in):
    sig = make(data=pki.tamper_signature(pki.make_cms()))
    html = logged_in.get(f"/signatures/{sig.pk}/").content.decode()
    assert 'data-verdict="failed" data-verdict-scope="overall"' in html
    assert "does not match the signer" in html and 'data-verdict="passed"' not in html


def test_tampered_content_is_failed(logged_in):
    der = pki.tamper_content(pki.make_cms(b"pay 100 EUR"), b"pay 100 EUR", b"pay 999 EUR")
    sig = make(data=der)
    html = logged_in.get(f"/signatures/{sig.pk}/").content.decode()
    assert 'data-verdict="failed" data-verdict-scope="overall"' in html
    assert "does not match the signed digest" in html


def test_expired_signer_is_failed(logged_in):
    sig = make(data=pki.make_cms(signer_name="Old Signer", window="expired"))
    html = logged_in.get(f"/signatures/{sig.pk}/").content.decode()
    assert 'data-verdict="failed" data-verdict-scope="overall"' in html and "had expired" in html


def test_unparseable_blob_shows_why_and_never_breaks(logged_in):
    sig = make(data=b"\x30\x82\xff\xffgarbage")
    r = logged_in.get(f"/signatures/{sig.pk}/")
    assert r.status_code == 200 and b"could not be fully read" in r.content
    assert b'data-verdict="failed" data-verdict-scope="overall"' in r.content


def test_a_good_xml_signature_is_verified(logged_in):
    sig = make(data=pki.xml_signed(), kind="xml")
    html = logged_in.get(f"/signatures/{sig.pk}/").content.decode()
    assert (
        "every reference&#x27;s digest matches" in html
        or "every reference's digest matches" in html
    )
    assert 'data-verdict="indeterminate" data-verdict-scope="overall"' in html  # no anchor


def test_a_tampered_xml_signature_is_failed(logged_in):
    data = pki.xml_signed().replace(b">Alice<", b">Mallo<")
    sig = make(data=data, kind="xml")
    html = logged_in.get(f"/signatures/{sig.pk}/").content.decode()
    assert 'data-verdict="failed" data-verdict-scope="overall"' in html


def test_an_xml_signature_with_made_up_values_is_failed_not_described_as_fine(logged_in):
    sig = make(data=pki.xml_signature(), kind="xml")
    html = logged_in.get(f"/signatures/{sig.pk}/").content.decode()
    assert "xmldsig-more#rsa-sha256" in html and "xmlenc#sha256" in html
    assert 'data-verdict="failed" data-verdict-scope="overall"' in html


def test_xml_with_a_dtd_is_refused_by_defusedxml(logged_in):
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    sig = make(data=bomb, kind="xml")
    r = logged_in.get(f"/signatures/{sig.pk}/")
    assert r.status_code == 200 and b"DTDs and entities are not allowed" in r.content


def test_attributes_are_readable_values(logged_in):
    sig = make()
    html = logged_in.get(f"/signatures/{sig.pk}/").content.decode()
    assert "OrderedDict" not in html and "b&#x27;" not in html
    assert "S/MIME capabilities" in html and "aes256_cbc" in html
    assert "Content type</th><td>data</td>" in html


def test_times_have_seconds_and_the_viewers_zone(logged_in):
    import re

    sig = make()
    html = logged_in.get(f"/signatures/{sig.pk}/?tz=Asia/Almaty").content.decode()
    assert "Times in Asia/Almaty" in html
    local = sig.created_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Almaty"))
    assert local.strftime("%Y-%m-%d %H:%M:%S") in html
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+05", html)  # zone shown
    listing = logged_in.get("/signatures/").content.decode()  # the cookie remembers it
    assert "Saved (Asia/Almaty)" in listing and local.strftime("%H:%M:%S") in listing


def test_stepping_through_versions_with_htmx_returns_the_panel(logged_in):
    v1 = make()
    v2 = make(base=1, data=pki.make_cms(signer_name="Bob Signer"))
    html = logged_in.get(f"/signatures/{v2.pk}/").content.decode()
    assert f'href="/signatures/{v1.pk}/"' in html
    # Set once on the panel and inherited by every version link inside it.
    assert html.count('hx-push-url="true"') == 1 and html.count('hx-target="#sig-panel"') == 1
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
