"""The evidence pack's manifest.csv carries each PDF's signature verdict (new columns last)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from signhub.downloads.evidence import MANIFEST_COLUMNS

from .conftest import make_document

pytestmark = pytest.mark.django_db


def manifest(response) -> list[dict]:
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))


@pytest.fixture
def packed(client, reviewer_account, pdf_files, samples):
    good = make_document(reviewer_account, "good")
    bad = make_document(reviewer_account, "bad")
    pdf_files.files.update(
        {
            ("good", "signed"): samples["pdf-two-signatures"].data,
            ("good", "audit"): b"audit trail, plain text",
            ("bad", "signed"): samples["pdf-tampered-byte"].data,
            ("bad", "audit"): samples["pdf-untrusted-signer"].data,
        }
    )
    return client, good, bad


def test_the_manifest_keeps_its_columns_and_adds_the_verdict(packed):
    assert MANIFEST_COLUMNS[:16] == [
        "provider", "account", "external_id", "title", "status", "signers", "created_at",
        "sent_at", "completed_at", "file_key", "file_kind", "file_name", "bytes", "sha256",
        "result", "error",
    ]  # fmt: skip
    assert MANIFEST_COLUMNS[16:] == ["signature_verdict", "signature_reason"]


def test_each_pdf_gets_its_verdict(packed):
    client, good, bad = packed
    rows = manifest(client.post("/documents/evidence-pack/", {"ids": [good.pk, bad.pk]}))
    by_file = {(r["external_id"], r["file_key"]): r for r in rows}
    assert by_file[("good", "signed")]["signature_verdict"] == "passed"
    assert by_file[("bad", "signed")]["signature_verdict"] == "failed"
    assert "changed after signing" in by_file[("bad", "signed")]["signature_reason"]
    assert by_file[("bad", "audit")]["signature_verdict"] == "indeterminate"
    assert by_file[("good", "audit")]["signature_verdict"] == ""
    assert by_file[("good", "audit")]["signature_reason"] == "not a PDF"


def test_verification_in_the_pack_can_be_turned_off(packed, settings):
    client, good, _ = packed
    settings.SIGNHUB_EVIDENCE_VERIFY = False
    rows = manifest(client.post("/documents/evidence-pack/", {"ids": [good.pk]}))
    assert {r["signature_verdict"] for r in rows} == {""}
    assert all("SIGNHUB_EVIDENCE_VERIFY" in r["signature_reason"] for r in rows)
