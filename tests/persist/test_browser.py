"""Real Chromium: open a signature, step through its versions, compare two."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from signhub.persist.blobs import Blob
from signhub.persist.services import NewVersion, save_version
from tests.browser_support import CHROMIUM

from . import pki

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium"),
]


@pytest.fixture
def page(browser, live_server, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("hr-browser", password="pw-123456789")
    user.user_permissions.add(Permission.objects.get(codename="view_signature"))
    client = Client()
    client.force_login(user)
    context = browser.new_context()
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_open_step_through_and_compare(page, live_server):
    signers = ["Alice Signer", "Bob Signer", "Carol Signer"]
    sigs = []
    for base, name in enumerate(signers):
        sigs.append(
            save_version(
                NewVersion(
                    document="contract-7",
                    thread="onboarding",
                    base_version=base,
                    blob=Blob(pki.make_cms(signer_name=name), "cms"),
                    version_comment=f"signed by {name}",
                )
            )
        )

    page.goto(f"{live_server.url}/signatures/")
    page.get_by_role("link", name="contract-7").click()
    page.wait_for_url(re.compile(rf"/signatures/{sigs[2].pk}/$"))
    assert page.get_by_role("heading", name="Version 3").is_visible()
    assert page.get_by_text("Carol Signer").first.is_visible()

    # Step back with HTMX: the panel swaps and the URL follows (hx-push-url).
    page.get_by_role("link", name="← Version 2").click()
    page.wait_for_url(re.compile(rf"/signatures/{sigs[1].pk}/$"))
    page.get_by_role("heading", name="Version 2").wait_for()
    assert page.get_by_text("Bob Signer").first.is_visible()
    page.get_by_role("link", name="← Version 1").click()
    page.get_by_role("heading", name="Version 1").wait_for()
    assert page.locator("[data-verdict-scope=overall]").first.is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "signature-version.png"), full_page=True)

    # Compare version 1 with version 3 using the form.
    page.get_by_label("Left").select_option(label="v1")
    page.get_by_label("Right").select_option(label="v3")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(re.compile(r"/signatures/compare/"))
    changed = page.locator("tr.changed")
    assert changed.count() >= 3
    table = page.locator("table.compare").inner_text()
    assert "Alice Signer" in table and "Carol Signer" in table
    assert "signed by Alice Signer" in table and "signed by Carol Signer" in table
    # docs/screenshots: the compare page at a desktop and a phone width, from this run.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert _overflow(page) <= 0
        page.screenshot(path=str(SCREENSHOTS / f"signatures-compare-{width}.png"), full_page=True)


def _overflow(page) -> int:
    """How many CSS pixels the page is wider than its window (0 when it fits)."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - window.innerWidth"
    )


def _widest(page) -> list[str]:
    """The elements that stick out of the window, for a readable failure."""
    return page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
        " > window.innerWidth + 1).slice(-5).map(e => e.tagName + '.' + e.className + ' '"
        " + Math.round(e.getBoundingClientRect().right))"
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1440, 390])
def test_no_signature_page_is_wider_than_its_window(page, live_server, width):
    """Long ids, hashes, names and comments wrap; tables and grids never push the page out."""
    long_id = "employment-contract-" + "x" * 120
    comment = "signed after review " + "c" * 300
    sigs = []
    for base, name in enumerate(["Alice Signer", "Bob Signer"]):
        sigs.append(
            save_version(
                NewVersion(
                    document=long_id,
                    thread="onboarding-" + "t" * 80,
                    base_version=base,
                    blob=Blob(pki.make_cms(signer_name=name), "cms"),
                    version_comment=comment,
                    version_created_by="hr.department.with.a.long.address@example.com" * 2,
                    tags=["tag-" + "y" * 60],
                )
            )
        )
    page.set_viewport_size({"width": width, "height": 900})
    for url in (
        "/signatures/",
        f"/signatures/{sigs[1].pk}/",
        f"/signatures/compare/?a={sigs[0].pk}&b={sigs[1].pk}",
    ):
        page.goto(live_server.url + url)
        assert _overflow(page) <= 0, (width, url, _overflow(page), _widest(page))


@pytest.mark.django_db(transaction=True)
def test_next_leaves_page_one(page, live_server):
    for i in range(27):
        save_version(
            NewVersion(
                document=f"doc-{i:02}",
                thread="t",
                base_version=0,
                blob=Blob(pki.make_cms(), "cms"),
            )
        )
    page.goto(f"{live_server.url}/signatures/")
    page.get_by_role("link", name="Next").click()
    page.get_by_text("Page 2 of 2").wait_for()
    assert re.search(r"[?&]page=2", page.url) and "??" not in page.url
    assert page.get_by_text("Showing 26–27 of 27 signature chains").is_visible()
    page.get_by_role("link", name="Previous").click()
    page.get_by_text("Page 1 of 2").wait_for()
