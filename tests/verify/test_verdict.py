"""The verdict rules themselves: failed beats indeterminate, passed needs every check."""

from __future__ import annotations

from datetime import UTC, datetime

from signhub.verify.verdict import (
    CHAIN,
    FAILED,
    INDETERMINATE,
    INTEGRITY,
    NOT_APPLICABLE,
    PASSED,
    REVOCATION,
    SIGNATURE_VALUE,
    TIMESTAMP,
    VALIDITY,
    Check,
    SignerResult,
    Verdict,
    decide,
    overall,
)


def signer(**outcomes) -> SignerResult:
    names = {
        "integrity": INTEGRITY, "value": SIGNATURE_VALUE, "chain": CHAIN,
        "validity": VALIDITY, "revocation": REVOCATION, "timestamp": TIMESTAMP,
    }  # fmt: skip
    checks = []
    for key, name in names.items():
        outcome = outcomes.get(key, PASSED)
        checks.append(Check(name, outcome, f"{name} {outcome}", "" if outcome == PASSED else "X"))
    return decide(SignerResult(label="s", checks=checks))


def test_all_passed_is_passed_and_not_applicable_counts_as_fine():
    assert signer(timestamp=NOT_APPLICABLE).indication == PASSED


def test_failed_outranks_indeterminate_whatever_the_order():
    result = signer(chain=INDETERMINATE, validity=FAILED)
    assert result.indication == FAILED and result.reason.startswith("validity at signing time")


def test_a_missing_check_is_never_a_pass():
    result = decide(SignerResult(label="s", checks=[Check(INTEGRITY, PASSED)]))
    assert result.indication == INDETERMINATE


def test_overall_needs_every_signer():
    good, doubtful = signer(), signer(revocation=INDETERMINATE)
    assert overall([good, good]).indication == PASSED
    assert overall([good, doubtful]).indication == INDETERMINATE
    assert "1 of 2 signatures" in overall([good, doubtful]).reason
    assert overall([]).indication == INDETERMINATE
    assert overall([]).sub_indication == "NO_SIGNATURE_FOUND"


def test_json_round_trip_and_hostile_text_is_storable():
    verdict = overall([signer()], facts=[("Field", "sig\x00\ud800")], trust="t")
    verdict.validated_at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    data = verdict.to_json()
    assert "\x00" not in data["facts"][0][1]
    data["facts"][0][1].encode("utf-8")  # no lone surrogate left
    back = Verdict.from_json(data)
    assert back.indication == PASSED and back.validated_at == verdict.validated_at
    assert back.signers[0].checks[0].name == INTEGRITY
