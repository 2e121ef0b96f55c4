"""The reviewer's day in a real browser: the preview in the detail (issue 20)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from signhub.core.connector import FileRecord, FileStream
from signhub.core.index import IndexWriter
from signhub.core.models import AuditEvent, ProviderAccount, SignedDocument
from signhub.sandbox.pdf import sample_pdf
from tests.browser.test_journeys import login, real_errors
from tests.fakes import FakeConnector, make_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _serve(self, document, file_key) -> FileStream:
    """Real PDFs (three pages) for the fake provider; a Word file stays a Word file."""
    if document.external_id == "doc-word":
        body = b"PK\x03\x04 not a pdf"
        return FileStream(iter([body]), "application/msword", "offer.docx", len(body))
    body = sample_pdf(document.title, pages=3)
    return FileStream(iter([body]), "application/pdf", "signed.pdf", len(body))


@pytest.fixture
def review_world(transactional_db, monkeypatch):
    monkeypatch.setattr(FakeConnector, "open_file", _serve)
    group = Group.objects.create(name="hr")
    now = timezone.now()
    account = ProviderAccount.objects.create(
        name="Acme Box", provider="fake", base_url="https://fake.example.com",
        last_success_at=now - timedelta(minutes=3),
    )  # fmt: skip
    account.visible_to.add(group)
    records = [
        make_record(
            i,
            title=f"Offer letter {i}",
            completed_at=now - timedelta(days=i),
            files=[FileRecord(key="signed", name=f"offer-{i}.pdf", kind="signed")],
        )
        for i in range(3)
    ]
    records.append(
        make_record(
            99,
            external_id="doc-word",
            title="Offer as Word",
            files=[FileRecord(key="signed", name="offer.docx", kind="signed")],
        )
    )
    IndexWriter(account, seen_at=now).write(records)
    user = User.objects.create_user("alice", "alice@example.com", "correct horse battery")
    user.groups.add(group)
    return account


def canvas_is_drawn(page) -> bool:
    return page.evaluate(
        """() => {
          const c = document.querySelector('[data-pdf-canvas]');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let dark = 0;
          for (let i = 0; i < d.length; i += 4) if (d[i] < 128 && d[i + 3] > 0) dark++;
          return c.width > 100 && dark > 50;
        }"""
    )


def test_preview_renders_page_one_navigates_zooms_and_is_audited(page, live_server, review_world):
    login(page, live_server)
    page.get_by_role("link", name="Offer letter 0", exact=True).click()
    page.wait_for_url(re.compile(r"/documents/\d+/$"))
    viewer = page.locator("#detail [data-pdf-viewer]")
    page.wait_for_selector("#detail [data-pdf-viewer][data-rendered-page='1']")
    assert canvas_is_drawn(page)
    assert viewer.locator("[data-pdf-pages]").inner_text() == "3"
    assert "Signed copy" in page.locator("#detail .preview h3").inner_text()

    viewer.get_by_role("button", name="Next page").click()
    page.wait_for_selector("[data-pdf-viewer][data-rendered-page='2']")
    width = page.evaluate("document.querySelector('[data-pdf-canvas]').width")
    before = viewer.locator("[data-pdf-zoom]").inner_text()
    viewer.get_by_role("button", name="Zoom in").click()
    page.wait_for_function("w => document.querySelector('[data-pdf-canvas]').width > w", arg=width)
    # The canvas grows first; the zoom label follows once the page is drawn at the new scale.
    page.wait_for_function(
        "b => document.querySelector('#detail [data-pdf-zoom]').textContent.trim() !== b",
        arg=before.strip(),
    )
    assert viewer.locator("[data-pdf-zoom]").inner_text() != before

    doc = SignedDocument.objects.get(external_id="doc-0")
    event = AuditEvent.objects.get(action="preview")
    assert (event.target, event.result, event.details["file_key"]) == (
        f"document:{doc.pk}",
        "ok",
        "signed",
    )
    assert event.bytes > 500
    assert real_errors(page) == [], "\n".join(real_errors(page))


def test_the_plain_detail_page_previews_and_a_non_pdf_falls_back(page, live_server, review_world):
    login(page, live_server)
    doc = SignedDocument.objects.get(external_id="doc-1")
    page.goto(f"{live_server.url}/documents/{doc.pk}/")
    page.wait_for_selector("[data-pdf-viewer][data-rendered-page='1']")
    assert canvas_is_drawn(page)

    word = SignedDocument.objects.get(external_id="doc-word")
    page.goto(f"{live_server.url}/documents/{word.pk}/")
    fallback = page.locator("[data-preview-fallback]")
    assert "offer.docx is not a PDF" in fallback.inner_text()
    assert fallback.get_by_role("link", name="Download it").count() == 1
    assert page.locator("[data-pdf-viewer]").count() == 0
    assert real_errors(page) == [], "\n".join(real_errors(page))


def test_a_pdf_named_file_that_is_not_a_pdf_falls_back_through_the_viewer(
    page, live_server, review_world, monkeypatch
):
    """The name says .pdf, so the viewer asks the preview proxy; the bytes are HTML, so the
    proxy answers 415 and the script shows the fallback with the previewed file's link."""
    served = {}

    def serve(self, document, file_key) -> FileStream:
        served[file_key] = served.get(file_key, 0) + 1
        if document.external_id == "doc-html" and file_key == "signed":
            body = b"<html><script>alert(1)</script></html>"
            return FileStream(iter([body]), "text/html", "contract.pdf", len(body))
        return _serve(self, document, file_key)

    monkeypatch.setattr(FakeConnector, "open_file", serve)
    IndexWriter(review_world, seen_at=timezone.now()).write(
        [
            make_record(
                98,
                external_id="doc-html",
                title="Contract that is HTML",
                # The audit trail first: the fallback must not offer it as "the file".
                files=[
                    FileRecord(key="audit", name="audit-trail.pdf", kind="audit"),
                    FileRecord(key="signed", name="contract.pdf", kind="signed"),
                ],
            )
        ]
    )
    login(page, live_server)
    page.get_by_role("link", name="Contract that is HTML", exact=True).click()
    viewer = page.locator("#detail [data-pdf-viewer]")
    page.wait_for_selector("#detail [data-pdf-viewer][data-state='unsupported']")
    status = viewer.locator("[data-pdf-status]")
    assert status.inner_text().startswith("This file is not a PDF, so it cannot be shown here.")
    assert "preview-fallback" in status.get_attribute("class")
    assert viewer.locator(".pdf-toolbar").is_hidden()
    assert viewer.locator(".pdf-canvas-wrap").is_hidden()
    link = status.get_by_role("link", name="Download it instead.")
    doc = SignedDocument.objects.get(external_id="doc-html")
    assert link.get_attribute("href").startswith(f"/documents/{doc.pk}/download/signed")
    event = AuditEvent.objects.get(action="preview")
    assert (event.target, event.result) == (f"document:{doc.pk}", "not_pdf")
    assert served == {"signed": 1}  # no PDF renderer ran on it, nothing else was fetched

    with page.expect_download() as info:
        link.click()
    assert Path(info.value.path()).read_bytes().startswith(b"<html>")  # the file, as sent
    assert served == {"signed": 2}
    assert AuditEvent.objects.filter(action="download", target=f"document:{doc.pk}").count() == 1
    # The browser logs the 415 itself; the viewer answered it, so it is no script error.
    errors = [e for e in real_errors(page) if "status of 415" not in e]
    assert errors == [], "\n".join(errors)


def test_detail_with_preview_screenshots(page, live_server, review_world, screenshots):
    login(page, live_server)
    page.get_by_role("link", name="Offer letter 0", exact=True).click()
    page.wait_for_selector("#detail [data-pdf-viewer][data-rendered-page='1']")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.wait_for_timeout(100)
    page.screenshot(path=str(screenshots / "detail-preview-1440.png"))
    doc = SignedDocument.objects.get(external_id="doc-0")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/documents/{doc.pk}/")
    page.wait_for_selector("[data-pdf-viewer][data-rendered-page='1']")
    page.locator(".preview").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "detail-preview-390.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_tab_title_esc_focus_and_phone_signer_labels(page, live_server, review_world):
    login(page, live_server)
    page.locator("#accounts-summary > summary").click()
    page.locator("#accounts-panel .account").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert page.title() == "Documents · signhub"  # not the accounts panel's "Accounts"

    link = page.get_by_role("link", name="Offer letter 1", exact=True)
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url(re.compile(r"/documents/\d+/$"))
    page.locator("#detail-title").wait_for()
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"/documents/$"))
    page.wait_for_function(
        "h => document.activeElement && document.activeElement.getAttribute('href') === h",
        arg=href,
    )

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}{href}")
    label = page.evaluate(
        "getComputedStyle(document.querySelector('.signers-table td'), '::before').content"
    )
    assert label == '"Order"'
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert real_errors(page) == [], "\n".join(real_errors(page))


def test_escape_closes_the_detail_before_htmx_settles(page, live_server, review_world):
    """The drawer's "open" class comes when htmx settles; an Escape pressed as soon as the
    document shows (a fast keyboard user, a busy machine) was lost. A long settle delay
    makes that moment wide enough to hit every time."""
    login(page, live_server)
    page.evaluate("htmx.config.defaultSettleDelay = 3000")
    page.get_by_role("link", name="Offer letter 1", exact=True).click()
    page.locator("#detail-title").wait_for()
    assert "open" not in (page.locator("#detail").get_attribute("class") or "")
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"/documents/$"), timeout=2500)
    assert page.locator("#detail-title").count() == 0


def test_the_account_status_is_one_line_that_opens_and_says_each_failure_once(
    page, live_server, review_world
):
    now = timezone.now()
    broken = ProviderAccount.objects.create(
        name="Beta Sign", provider="fake", base_url="https://fake.example.com",
        last_success_at=now - timedelta(hours=5), last_error_at=now - timedelta(minutes=2),
        last_error="Fake rejected the token (invalid_grant)",
    )  # fmt: skip
    broken.visible_to.add(*review_world.visible_to.all())
    login(page, live_server)
    summary = page.locator("#accounts-summary > summary")
    assert re.fullmatch(
        r"Account status: 2 accounts · 1 failing · synced \d+ minutes? ago",
        " ".join(summary.inner_text().split()),
    ), summary.inner_text()
    closed = page.locator("#accounts-summary").bounding_box()["height"]
    assert closed < 40, f"the closed account status is {closed}px tall"
    # Between the filters and the results there is nothing but the results' own notices.
    gap = page.evaluate(
        "document.querySelector('#results').getBoundingClientRect().top - "
        "document.querySelector('#filters').getBoundingClientRect().bottom"
    )
    assert gap < 40, f"{gap}px between the filters and the results"
    words = "Fake rejected the token (invalid_grant)"
    assert page.get_by_text(words).count() == 1

    summary.click()
    page.locator("#accounts-panel .account").nth(1).wait_for()
    page.wait_for_load_state("networkidle")
    assert page.locator("#accounts-panel .account.failed").count() == 1
    body = page.locator("body").inner_text()
    assert body.count(words) == 1, body
    assert page.title() == "Documents · signhub"
    assert real_errors(page) == [], "\n".join(real_errors(page))


def test_needs_attention_shows_reasons_and_the_expiring_group(
    page, live_server, review_world, screenshots
):
    from signhub.core.connector import SignerRecord
    from signhub.core.status import DocumentStatus

    now = timezone.now()
    IndexWriter(review_world, seen_at=now).write(
        [
            make_record(
                500,
                title="Offer declined",
                status=DocumentStatus.DECLINED,
                completed_at=None,
                last_activity_at=now - timedelta(days=1),
                signers=[
                    SignerRecord(
                        email="lea@example.com",
                        name="Lea Declines",
                        status="declined",
                        decided_at=now - timedelta(days=1),
                    )
                ],
            ),
            make_record(
                501,
                title="Handbook acknowledgement",
                status=DocumentStatus.IN_PROGRESS,
                completed_at=None,
                expires_at=now + timedelta(days=3),
            ),
            make_record(
                502,
                title="Overdue NDA",
                status=DocumentStatus.IN_PROGRESS,
                completed_at=None,
                expires_at=now - timedelta(days=4),
            ),
        ]
    )
    login(page, live_server)
    page.get_by_role("link", name="Needs attention").first.click()
    page.wait_for_url(re.compile(r"view=attention"))
    group = page.locator(".expiring-group")
    group.get_by_text("Handbook acknowledgement").wait_for()
    assert group.locator("td.why").first.inner_text().startswith("Expiring soon: expires")
    main = page.locator("table.documents:not(.attention-group)")
    why = main.locator("tr", has_text="Offer declined").locator("td.why").inner_text()
    assert why.startswith("Declined by Lea Declines")
    overdue = main.locator("tr", has_text="Overdue NDA").locator("td.why").inner_text()
    assert overdue.startswith("Overdue since") and "4 days ago" in overdue
    page.set_viewport_size({"width": 1440, "height": 900})
    page.screenshot(path=str(screenshots / "needs-attention-1440.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.locator(".expiring-group").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshots / "needs-attention-390.png"), full_page=True)
    assert real_errors(page) == [], "\n".join(real_errors(page))


def test_needs_attention_lists_the_most_urgent_first(page, live_server, review_world):
    """Overdue, failed, declined, expired; the latest first in each; across pages too."""
    from signhub.core.status import DocumentStatus as S

    now = timezone.now()
    kinds = [
        ("Expired", S.EXPIRED, {}),
        ("Declined", S.DECLINED, {}),
        ("Failed", S.FAILED, {"provider_status": "error"}),
        ("Overdue", S.IN_PROGRESS, {"expires_at": None}),
    ]
    records = []
    for n in range(8):  # 32 documents: two pages of 25
        for k, (word, status, extra) in enumerate(kinds):
            fields = {**extra, "last_activity_at": now - timedelta(hours=n + 1)}
            if status == S.IN_PROGRESS:
                fields["expires_at"] = now - timedelta(days=n + 1)
            elif status == S.EXPIRED:  # expired on its expiry date (no end time given)
                fields["expires_at"] = now - timedelta(days=1, hours=n)
            records.append(
                make_record(
                    600 + 10 * n + k,
                    title=f"{word} {n}",
                    status=status,
                    completed_at=None,
                    **fields,
                )
            )
    IndexWriter(review_world, seen_at=now).write(records)
    login(page, live_server)
    page.get_by_role("link", name="Needs attention").first.click()
    page.wait_for_url(re.compile(r"view=attention"))
    main = page.locator("table.documents:not(.attention-group)")
    titles = main.locator("td.title a").all_inner_texts()
    expected = [f"{w} {n}" for w, _, _ in reversed(kinds) for n in range(8)]
    assert titles == expected[:25]
    assert main.locator("td.why").first.inner_text().startswith("Overdue since")
    assert "Sorted by urgency" in page.locator("#result-count").inner_text()
    assert main.locator("th[aria-sort=descending]").inner_text().startswith("Why")
    page.locator("nav.pager").get_by_role("link", name="Next ›").click()
    page.wait_for_url(re.compile(r"after="))
    main.get_by_text("Expired 1", exact=True).wait_for()
    assert main.locator("td.title a").all_inner_texts() == expected[25:]
    page.locator("nav.pager").get_by_role("link", name="‹ Previous").click()
    main.get_by_text("Overdue 0", exact=True).wait_for()
    assert main.locator("td.title a").all_inner_texts() == expected[:25]
    # A click on the Why header reverses it: the least urgent first.
    main.locator("th[aria-sort=descending] a").click()
    page.wait_for_url(re.compile(r"sort=urgency"))
    main.get_by_text("Expired 7", exact=True).wait_for()
    assert main.locator("td.title a").first.inner_text() == "Expired 7"
    assert real_errors(page) == [], "\n".join(real_errors(page))


def test_bulk_select_downloads_a_zip_with_the_right_files_and_manifest(
    page, live_server, review_world
):
    import csv
    import io
    import zipfile

    login(page, live_server)
    bar = page.locator("form[data-bulk]")
    assert bar.locator("[data-bulk-count]").inner_text() == "None selected"
    assert bar.get_by_role("button", name="Download ZIP", exact=True).is_disabled()
    # Keyboard: Space ticks a row's checkbox; Esc clears the selection.
    page.get_by_label("Select Offer letter 2").focus()
    page.keyboard.press("Space")
    assert bar.locator("[data-bulk-count]").inner_text() == "1 selected"
    page.keyboard.press("Escape")
    assert bar.locator("[data-bulk-count]").inner_text() == "None selected"
    # Select all on this page, then untick one.
    page.get_by_label("Select all documents on this page").check()
    assert bar.locator("[data-bulk-count]").inner_text() == "4 selected"
    page.get_by_label("Select Offer as Word").uncheck()
    page.get_by_label("Select Offer letter 2").uncheck()
    assert bar.locator("[data-bulk-count]").inner_text() == "2 selected"

    with page.expect_download() as info:
        bar.get_by_role("button", name="Download ZIP", exact=True).click()
    archive = zipfile.ZipFile(Path(info.value.path()))
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert sorted(r["title"] for r in rows) == ["Offer letter 0", "Offer letter 1"]
    pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
    assert len(pdfs) == 2 and all(archive.read(n).startswith(b"%PDF-") for n in pdfs)
    assert AuditEvent.objects.filter(action="evidence_pack", result="ok").count() == 1

    # All matching the filter goes through the confirmation, which explains the limit.
    page.goto(f"{live_server.url}/documents/?q=offer")
    page.locator("form[data-bulk]").get_by_role("button", name="Download ZIP…").click()
    page.get_by_text("4 documents match the current filter").wait_for()
    assert real_errors(page) == [], "\n".join(real_errors(page))


def test_no_page_is_wider_than_its_window_and_list_screenshots(
    page, live_server, review_world, screenshots
):
    login(page, live_server)
    doc = SignedDocument.objects.get(external_id="doc-0")
    paths = [
        "/documents/",
        "/documents/?view=attention",
        f"/documents/{doc.pk}/",
        "/accounts/",
        "/signatures/",
        "/documents/999999/",
    ]
    too_wide = []
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                too_wide.append(f"{path} at {width}px: {scroll}px")
        page.goto(f"{live_server.url}/documents/")
        page.wait_for_load_state("networkidle")
        page.get_by_label("Select Offer letter 0").check()
        page.get_by_label("Select Offer letter 1").check()
        page.screenshot(path=str(screenshots / f"list-{width}.png"), full_page=width > 400)
    assert too_wide == [], too_wide
    errors = [e for e in real_errors(page) if "/documents/999999/" not in e]  # the 404 itself
    assert errors == [], "\n".join(errors)


def test_select_all_on_this_page_is_offered_and_keyboard_usable_on_a_phone(
    page, live_server, review_world
):
    """At 390 px the table head (with its select-all box) is hidden: the bar offers it."""
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server)
    bar = page.locator("form[data-bulk]")
    assert not page.get_by_label("Select all documents on this page").is_visible()
    select_page = bar.get_by_label("Select all on this page")
    assert select_page.is_visible()
    box = bar.locator("label.bulk-page").bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= 390
    # Keyboard only: Tab reaches it from the control before it, Space ticks every row.
    page.get_by_role("button", name="Apply").focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('[data-select-page]')"):
            break
    assert page.evaluate("document.activeElement.closest('label.bulk-page') !== null")
    page.keyboard.press("Space")
    assert bar.locator("[data-bulk-count]").inner_text() == "4 selected"
    assert page.locator("input[name=ids]:checked").count() == 4
    # Unticking one row makes it "some selected"; Space again ticks all, then none.
    page.get_by_label("Select Offer letter 1").uncheck()
    assert select_page.evaluate("el => el.indeterminate") is True
    select_page.focus()
    page.keyboard.press("Space")
    assert bar.locator("[data-bulk-count]").inner_text() == "4 selected"
    page.keyboard.press("Space")
    assert bar.locator("[data-bulk-count]").inner_text() == "None selected"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert real_errors(page) == [], "\n".join(real_errors(page))
