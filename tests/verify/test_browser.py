"""Real Chromium: "Verify signatures" on a document's page shows the verdict panel in place."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from tests.browser_support import CHROMIUM

from .conftest import make_document

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium"),
]


@pytest.mark.django_db(transaction=True)
def test_verify_signatures_on_the_document_page(
    browser, live_server, django_user_model, make_account, pdf_files, samples, anchors
):
    group = Group.objects.create(name="HR")
    user = django_user_model.objects.create_user("rev-browser", password="pw-123456789")
    user.groups.add(group)
    account = make_account("pdffiles", name="pdf account")
    account.visible_to.add(group)
    doc = make_document(account, "contract-9")
    pdf_files.files[("contract-9", "signed")] = samples["pdf-two-signatures"].data
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{live_server.url}/documents/{doc.pk}/")
        page.get_by_role("button", name="Verify signatures").click()
        overall = page.locator("[data-verdict-scope=overall]")
        overall.wait_for()
        assert overall.get_attribute("data-verdict") == "passed"
        assert page.locator("[data-verdict-scope=signer]").count() == 2
        assert page.get_by_text("later revisions were added after signing").is_visible()
        assert page.url.endswith(f"/documents/{doc.pk}/")  # swapped in place (HTMX)
        width = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert width <= 0
        page.reload()
        assert page.get_by_role("button", name="Verify signatures again").is_visible()
    finally:
        context.close()
    assert not errors, errors
