"""Every view with every persona: admin, the reviewer who may see, the one who may not, anonymous."""

from __future__ import annotations

import pytest

from signhub.core.models import SignedDocument

pytestmark = pytest.mark.django_db


def _doc(account, external_id):
    return SignedDocument.objects.get(account=account, external_id=external_id)


@pytest.mark.parametrize(
    "path",
    ["/documents/", "/documents/export.csv", "/accounts/", "/documents/{doc}/"],
)
def test_anonymous_is_sent_to_login(client, docs, path):
    a, _ = docs
    url = path.format(doc=_doc(a, "doc-1").pk)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_anonymous_cannot_sync(client, docs):
    a, _ = docs
    response = client.post(f"/accounts/{a.pk}/sync/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_superuser_sees_every_account(client, superuser, docs):
    client.force_login(superuser)
    response = client.get("/documents/")
    assert response.context["counts"].total == 5
    assert b"Beta policy" in response.content
    assert b"NDA Peter" in response.content


def test_it_hides_other_accounts_from_the_list(client, reviewer_a, docs):
    client.force_login(reviewer_a)
    response = client.get("/documents/")
    assert response.status_code == 200
    assert response.context["counts"].total == 3
    assert b"NDA Peter" in response.content
    assert b"Beta policy" not in response.content
    assert b"Beta Sign" not in response.content  # not even as an account filter choice


def test_reviewer_b_only_sees_b(client, reviewer_b, docs):
    client.force_login(reviewer_b)
    response = client.get("/documents/")
    assert response.context["counts"].total == 2
    assert b"NDA Peter" not in response.content


def test_detail_of_another_account_is_404(client, reviewer_b, docs):
    a, b = docs
    client.force_login(reviewer_b)
    assert client.get(f"/documents/{_doc(a, 'doc-1').pk}/").status_code == 404
    assert client.get(f"/documents/{_doc(b, 'doc-10').pk}/").status_code == 200


def test_detail_panel_is_404_for_other_account_too(client, reviewer_b, docs):
    a, _ = docs
    client.force_login(reviewer_b)
    response = client.get(
        f"/documents/{_doc(a, 'doc-1').pk}/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="detail"
    )
    assert response.status_code == 404


def test_filtering_by_a_foreign_account_id_is_an_error_not_a_leak(client, reviewer_b, docs):
    a, _ = docs
    client.force_login(reviewer_b)
    response = client.get("/documents/", {"account": a.pk})
    assert response.status_code == 200
    assert "account" in response.context["form"].errors
    assert response.context["counts"].total == 2


def test_export_respects_access(client, reviewer_a, docs):
    client.force_login(reviewer_a)
    body = b"".join(client.get("/documents/export.csv").streaming_content).decode("utf-8-sig")
    assert "Employment contract Maria Lopez" in body
    assert "Beta policy" not in body


def test_accounts_panel_lists_only_visible_accounts(client, reviewer_a, docs):
    client.force_login(reviewer_a)
    response = client.get("/accounts/")
    assert b"Acme Box" in response.content
    assert b"Beta Sign" not in response.content


def test_account_status_and_sync_of_invisible_account_are_404(client, reviewer_a, docs):
    _, b = docs
    client.force_login(reviewer_a)
    assert client.get(f"/accounts/{b.pk}/status/").status_code == 404
    assert client.post(f"/accounts/{b.pk}/sync/").status_code == 404


def test_user_without_groups_sees_nothing(client, django_user_model, docs):
    user = django_user_model.objects.create_user("nobody", "n@example.com", "pw")
    client.force_login(user)
    response = client.get("/documents/")
    assert response.context["counts"].total == 0
    assert b"No accounts are shared with you yet" in response.content


def test_sync_requires_post(client, reviewer_a, docs):
    a, _ = docs
    client.force_login(reviewer_a)
    assert client.get(f"/accounts/{a.pk}/sync/").status_code == 405
