""" "Verify signatures" on a document's signed copy: fetched like a download, validated with
pyHanko, cached by file hash, large files on the task worker, progress in the page."""

from __future__ import annotations

import pytest

from signhub.core.errors import ConnectorError
from signhub.core.models import AuditEvent
from signhub.verify import files, pdf
from signhub.verify.models import FileVerdict, VerificationJob

from .conftest import make_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client, reviewer_account, make_account, pdf_files, samples):
    hidden = make_account("pdffiles", name="hidden account")
    doc = make_document(reviewer_account, "contract-1")
    other = make_document(hidden, "contract-2")
    pdf_files.files[("contract-1", "signed")] = samples["pdf-one-signature"].data
    pdf_files.files[("contract-2", "signed")] = samples["pdf-one-signature"].data
    return client, doc, other, pdf_files


def start(client, doc, htmx=True, key="signed"):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/documents/{doc.pk}/verify/{key}", headers=headers)


def test_the_detail_offers_verify_signatures_for_the_signed_copy(setup):
    client, doc, _, _ = setup
    html = client.get(f"/documents/{doc.pk}/").content.decode()
    assert f'action="/documents/{doc.pk}/verify/signed"' in html
    assert "Verify signatures" in html
    assert "/verify/audit" not in html  # the audit trail is not a signed copy


def test_verifying_shows_the_verdict_per_signature_field(setup):
    client, doc, _, _ = setup
    r = start(client, doc)
    html = r.content.decode()
    assert r.status_code == 200
    assert 'data-verdict="passed" data-verdict-scope="overall"' in html
    assert 'data-verdict-scope="signer"' in html and "field Employee" in html
    assert "the whole document" in html and "Signing time" in html
    job = VerificationJob.objects.get()
    assert job.state == "done" and not job.on_worker and job.verdict.indication == "passed"
    # The detail shows the latest result afterwards, with the same panel.
    detail = client.get(f"/documents/{doc.pk}/").content.decode()
    assert 'data-verdict="passed" data-verdict-scope="overall"' in detail
    assert "Verify signatures again" in detail


def test_the_fetch_is_audited_like_a_download(setup):
    client, doc, _, _ = setup
    start(client, doc)
    event = AuditEvent.objects.get(action="verify")
    job = VerificationJob.objects.get()
    assert event.actor.username == "rev" and event.result == "ok"
    assert event.bytes == job.bytes_done > 0 and event.details["sha256"] == job.verdict.sha256
    assert event.details["file_key"] == "signed" and event.target == f"document:{doc.pk}"


def test_verdicts_are_cached_by_file_hash(setup, monkeypatch):
    client, doc, _, _ = setup
    calls = []
    real = pdf.verify_file
    monkeypatch.setattr(pdf, "verify_file", lambda f, **kw: calls.append(1) or real(f, **kw))
    start(client, doc)
    start(client, doc)
    assert len(calls) == 1 and FileVerdict.objects.count() == 1
    assert VerificationJob.objects.filter(verdict__isnull=False).count() == 2


def test_other_trust_anchors_are_another_cache_entry(setup, settings, tmp_path):
    client, doc, _, _ = setup
    start(client, doc)
    settings.SIGNHUB_TRUST_ROOTS = ""
    html = start(client, doc).content.decode()
    assert 'data-verdict="indeterminate" data-verdict-scope="overall"' in html
    assert "no trust anchor" in html
    assert FileVerdict.objects.count() == 2


def test_a_tampered_copy_is_failed(setup, samples):
    client, doc, _, connector = setup
    connector.files[("contract-1", "signed")] = samples["pdf-tampered-byte"].data
    html = start(client, doc).content.decode()
    assert 'data-verdict="failed" data-verdict-scope="overall"' in html


def test_large_files_run_on_the_task_worker(setup, settings):
    client, doc, _, connector = setup
    settings.SIGNHUB_VERIFY_INLINE_BYTES = 1000
    html = start(client, doc).content.decode()
    job = VerificationJob.objects.get()
    assert job.on_worker  # (the test task backend runs it at once)
    assert job.state == "done" and 'data-verdict="passed"' in html
    assert connector.opened == 2  # the view only looked at the size; the worker fetched it


def test_a_large_file_of_unknown_size_is_handed_to_the_worker(setup, settings):
    client, doc, _, connector = setup
    connector.announce_size = False
    settings.SIGNHUB_VERIFY_INLINE_BYTES = 1000
    start(client, doc)
    job = VerificationJob.objects.get()
    assert job.on_worker and job.state == "done"


def test_progress_is_shown_and_polled_while_the_job_runs(setup):
    client, doc, _, _ = setup
    job = VerificationJob.objects.create(
        document=doc, file_key="signed", state="fetching", bytes_done=512, bytes_total=2048,
        on_worker=True,
    )  # fmt: skip
    r = client.get(f"/verify/jobs/{job.pk}/", headers={"HX-Request": "true"})
    html = r.content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="25"' in html
    assert "Fetching the file on the task worker" in html
    job.state = "done"
    job.save()
    assert 'hx-trigger="every 1s"' not in client.get(f"/verify/jobs/{job.pk}/").content.decode()


def test_files_over_the_cap_are_refused(setup, settings):
    client, doc, _, _ = setup
    settings.SIGNHUB_VERIFY_MAX_BYTES = 2000
    settings.SIGNHUB_VERIFY_INLINE_BYTES = 10**9
    html = start(client, doc).content.decode()
    assert "larger than the 2,000-byte limit" in html
    assert VerificationJob.objects.get().state == "failed"
    assert AuditEvent.objects.get(action="verify").result == "refused"


def test_a_provider_failure_is_a_message_not_a_500(setup):
    client, doc, _, connector = setup
    connector.files[("contract-1", "signed")] = ConnectorError("gone", code="not_found", status=404)
    r = start(client, doc)
    assert r.status_code == 200 and "could not deliver the file" in r.content.decode()
    assert AuditEvent.objects.get(action="verify").result == "error"


def test_a_file_that_is_not_a_pdf_is_failed_in_words(setup):
    client, doc, _, connector = setup
    connector.files[("contract-1", "signed")] = b"hello, not a PDF"
    html = start(client, doc).content.decode()
    assert 'data-verdict="failed"' in html and "not a readable PDF" in html


def test_without_htmx_the_post_redirects_to_the_job_page(setup):
    client, doc, _, _ = setup
    r = start(client, doc, htmx=False)
    job = VerificationJob.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/verify/jobs/{job.pk}/"
    page = client.get(r["Location"]).content.decode()
    assert "Back to the document" in page and 'data-verdict-scope="overall"' in page


def test_documents_and_jobs_of_hidden_accounts_are_404(setup):
    client, _, other, _ = setup
    assert start(client, other).status_code == 404
    job = VerificationJob.objects.create(document=other, file_key="signed")
    assert client.get(f"/verify/jobs/{job.pk}/").status_code == 404
    assert client.get("/verify/jobs/99999999999999999999/").status_code == 404


def test_unknown_file_key_and_get_are_refused(setup):
    client, doc, _, _ = setup
    assert start(client, doc, key="nope").status_code == 404
    assert client.get(f"/documents/{doc.pk}/verify/signed").status_code == 405


def test_the_verdict_is_read_from_the_cache_without_validating(samples, anchors, db):
    import io

    data = samples["pdf-one-signature"].data
    first = files.verdict_for(io.BytesIO(data), "a" * 64, len(data))
    assert files.verdict_for(io.BytesIO(b"ignored"), "a" * 64, 7).pk == first.pk


def test_an_unexpected_error_ends_the_job_as_failed(setup, monkeypatch):
    client, doc, _, _ = setup

    def broken(*args, **kwargs):
        raise RuntimeError("validator bug")

    monkeypatch.setattr(files, "verdict_for", broken)
    r = start(client, doc)
    assert r.status_code == 200 and "unexpected error (RuntimeError)" in r.content.decode()
    assert VerificationJob.objects.get().state == "failed"
