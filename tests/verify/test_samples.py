"""Every sample made by a real tool gets the verdict the table in docs/persist.md promises,
and that verdict agrees with the tool's own verification.

"Agrees" means: where the tool accepts the signature, signhub passes it once the same trust
anchor (and CRL) is configured; where the tool refuses it, signhub never says passed. The two
deliberate differences are named in NOT_LIKE_THE_TOOL. Without a trust anchor nothing passes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from signhub.verify import cms, pdf, trust, xmldsig
from signhub.verify.verdict import FAILED, INDETERMINATE, PASSED

# sample -> (tool accepts?, signhub with anchor + CRL, its sub-indication, signhub without)
EXPECTED = {
    "cms-attached": (True, PASSED, "", INDETERMINATE),
    "cms-detached": (True, PASSED, "", INDETERMINATE),
    "cms-two-signers": (True, PASSED, "", INDETERMINATE),
    "cms-expired": (False, FAILED, "EXPIRED", FAILED),
    "cms-not-yet-valid": (False, FAILED, "NOT_YET_VALID", FAILED),
    "cms-revoked": (False, FAILED, "REVOKED", INDETERMINATE),
    "cms-tampered-content": (False, FAILED, "HASH_FAILURE", FAILED),
    "cms-wrong-signature": (False, FAILED, "SIG_CRYPTO_FAILURE", FAILED),
    "cms-no-certificates": (False, INDETERMINATE, "NO_SIGNING_CERTIFICATE_FOUND", INDETERMINATE),
    "cms-rsa-pss": (True, PASSED, "", INDETERMINATE),
    "cms-ec": (True, PASSED, "", INDETERMINATE),
    "cms-untrusted": (False, INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND", INDETERMINATE),
    "cms-timestamped": (True, PASSED, "", INDETERMINATE),
    "xml-good": (True, PASSED, "", INDETERMINATE),
    "xml-tampered": (False, FAILED, "HASH_FAILURE", FAILED),
    "xml-wrong-signature": (False, FAILED, "SIG_CRYPTO_FAILURE", FAILED),
    "xml-untrusted": (False, INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND", INDETERMINATE),
    "xml-external-reference": (True, INDETERMINATE, "SIGNED_DATA_NOT_FOUND", INDETERMINATE),
    "pdf-one-signature": (True, PASSED, "", INDETERMINATE),
    "pdf-two-signatures": (True, PASSED, "", INDETERMINATE),
    "pdf-revised-after-signing": (False, INDETERMINATE, "SIG_CONSTRAINTS_FAILURE", INDETERMINATE),
    "pdf-tampered-byte": (False, FAILED, "HASH_FAILURE", FAILED),
    "pdf-untrusted-signer": (False, INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND", INDETERMINATE),
}
# xmlsec1 reads the referenced local file; signhub never fetches what a signature points to.
NOT_LIKE_THE_TOOL = {"xml-external-reference"}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "persist.md"


def verdict_of(sample, store):
    if sample.kind == "cms":
        content = sample.content.read_bytes() if sample.content else None
        return cms.verify(sample.data, content=content, store=store)
    if sample.kind == "xml":
        return xmldsig.verify(sample.data, store=store)
    with sample.path.open("rb") as handle:
        return pdf.verify_file(handle, store=store)


def test_every_sample_has_an_expectation(samples):
    assert set(samples) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_verdict_with_the_trust_anchor_matches_the_tool(samples, name):
    sample = samples[name]
    tool_ok, indication, sub, _ = EXPECTED[name]
    root = sample.path.parent
    store = trust._read(str(root / "anchors.pem"), str(root / "crl.pem"))
    verdict = verdict_of(sample, store)
    assert sample.tool_ok is tool_ok, (name, sample.tool_says)
    assert (verdict.indication, verdict.sub_indication) == (indication, sub), verdict.reason
    if name not in NOT_LIKE_THE_TOOL:
        assert (verdict.indication == PASSED) is sample.tool_ok
    for signer in verdict.signers:
        assert {c.name for c in signer.checks} >= {"integrity", "signature value", "chain"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_nothing_passes_without_a_trust_anchor(samples, name):
    verdict = verdict_of(samples[name], trust.TrustStore(()))
    assert verdict.indication == EXPECTED[name][3] != PASSED
    if verdict.indication == INDETERMINATE and EXPECTED[name][2] in ("", "REVOKED"):
        assert "no trust anchor" in verdict.reason


def test_the_expired_signer_is_failed_with_or_without_anchor(samples):
    verdict = verdict_of(samples["cms-expired"], trust.TrustStore(()))
    assert verdict.indication == FAILED and verdict.sub_indication == "EXPIRED"
    assert "expired" in verdict.signers[0].check("validity at signing time").detail


def test_a_detached_signature_without_its_content_is_indeterminate(samples, anchors):
    sample = samples["cms-detached"]
    verdict = cms.verify(sample.data)
    assert verdict.indication == INDETERMINATE
    assert verdict.sub_indication == "SIGNED_DATA_NOT_FOUND"
    wrong = cms.verify(sample.data, content=b"another file")
    assert wrong.indication == FAILED and wrong.sub_indication == "HASH_FAILURE"


def test_the_timestamp_is_verified_and_gives_the_signing_time(samples, anchors):
    verdict = cms.verify(samples["cms-timestamped"].data)
    signer = verdict.signers[0]
    assert signer.check("timestamp").outcome == PASSED
    assert "Acme Test TSA" in signer.check("timestamp").detail
    assert signer.signing_time_source == "timestamp"


def test_two_signers_each_get_a_verdict(samples, anchors):
    verdict = cms.verify(samples["cms-two-signers"].data)
    assert sorted(s.label for s in verdict.signers) == ["Alice Signer", "Bob Signer"]
    assert all(s.indication == PASSED for s in verdict.signers)


def test_pdf_signatures_say_what_they_cover(samples, anchors):
    with samples["pdf-two-signatures"].path.open("rb") as handle:
        verdict = pdf.verify_file(handle)
    first, second = (dict(s.facts) for s in verdict.signers)
    assert first["Field"] == "Employee" and "later revisions" in first["Covers"]
    assert second["Field"] == "HR" and second["Covers"] == "the whole document"
    with samples["pdf-revised-after-signing"].path.open("rb") as handle:
        revised = pdf.verify_file(handle)
    assert "not allowed" in dict(revised.signers[0].facts)["Changes after signing"]


def test_the_docs_table_lists_every_sample_with_its_verdicts():
    """docs/persist.md's table is the promise; it must say what these tests check."""
    text = DOCS.read_text()
    table = text[text.index("| sample | what | tool | tool says | signhub | no anchor |") :]
    table = table[: table.index("\n\n")]
    rows = {}
    for line in table.splitlines():
        match = re.match(r"\| `([a-z0-9-]+)` \|", line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in line.strip("|").split("|")]
    assert set(rows) == set(EXPECTED)
    for name, (tool_ok, indication, sub, without) in EXPECTED.items():
        cells = rows[name]
        assert cells[3].startswith("accepts" if tool_ok else "refuses"), name
        assert cells[4].startswith(f"**{indication}**"), name
        assert sub in cells[4], name
        assert cells[5].startswith(without), name
