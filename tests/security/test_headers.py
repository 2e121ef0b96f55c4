"""Security headers on the list, the detail and the download responses."""

from __future__ import annotations

import pytest
from django.urls import reverse


def assert_hardened(response) -> None:
    csp = response["Content-Security-Policy"]
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";") if part.strip()
    )
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.fixture
def alice_client(client, world):
    client.force_login(world.alice)
    return client


def test_the_list_is_hardened(alice_client):
    assert_hardened(alice_client.get(reverse("dashboard:documents")))


def test_the_detail_is_hardened(alice_client, world):
    response = alice_client.get(f"/documents/{world.docs_a[0].pk}/")
    assert response.status_code == 200
    assert_hardened(response)


def test_the_download_is_hardened(alice_client, world):
    response = alice_client.get(reverse("downloads:file", args=[world.docs_a[0].pk, "signed"]))
    assert response.status_code == 200
    assert_hardened(response)
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    b"".join(response.streaming_content)


def test_a_download_error_page_is_hardened(alice_client, world):
    assert_hardened(alice_client.get(f"/documents/{world.docs_b[0].pk}/download/signed"))


def test_the_login_page_is_hardened(client):
    assert_hardened(client.get(reverse("login")))


def test_pages_have_no_inline_scripts_or_styles(alice_client, world):
    for url in (reverse("dashboard:documents"), f"/documents/{world.docs_a[0].pk}/"):
        html = alice_client.get(url).content.decode()
        for tag in html.split("<script")[1:]:
            head = tag.split(">", 1)[0]
            assert "src=" in head, f"inline script on {url}"
        assert "<style" not in html, f"inline style element on {url}"
        assert " onclick=" not in html and " onload=" not in html
