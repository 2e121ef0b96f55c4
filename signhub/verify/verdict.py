"""One verdict vocabulary for every signature signhub shows (after ETSI EN 319 102-1).

A verdict is `passed`, `indeterminate` or `failed`, with a sub-indication (the ETSI name,
shown in words) and the list of checks that led to it. CMS, XML and PDF verifiers all build
`SignerResult`s from `Check`s and let `decide` pick the indication, so the same facts always
give the same answer, whichever format they came from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

PASSED, INDETERMINATE, FAILED = "passed", "indeterminate", "failed"
INDICATIONS = (PASSED, INDETERMINATE, FAILED)
NOT_APPLICABLE = "not applicable"

# The checks every signer lists, in this order.
INTEGRITY = "integrity"
SIGNATURE_VALUE = "signature value"
CHAIN = "chain"
VALIDITY = "validity at signing time"
REVOCATION = "revocation"
TIMESTAMP = "timestamp"
CHECK_ORDER = (INTEGRITY, SIGNATURE_VALUE, CHAIN, VALIDITY, REVOCATION, TIMESTAMP)

# ETSI EN 319 102-1 sub-indications (plus NO_SIGNATURE_FOUND, signhub's own) in words.
SUB_INDICATIONS = {
    "FORMAT_FAILURE": "the signature is malformed or in a form that cannot be processed",
    "HASH_FAILURE": "the signed content was changed after signing",
    "SIG_CRYPTO_FAILURE": "the signature value does not match the signer's key",
    "REVOKED": "the signer's certificate was revoked before the signing time",
    "EXPIRED": "the signer's certificate had expired at the signing time",
    "NOT_YET_VALID": "the signer's certificate was not yet valid at the signing time",
    "SIGNED_DATA_NOT_FOUND": "the signed content is not available to check",
    "NO_SIGNING_CERTIFICATE_FOUND": "the signer's certificate is not included",
    "NO_CERTIFICATE_CHAIN_FOUND": "no chain from the signer to a configured trust anchor",
    "CHAIN_CONSTRAINTS_FAILURE": "a certificate in the chain may not be used for signing",
    "CERTIFICATE_CHAIN_GENERAL_FAILURE": "the certificate chain does not validate",
    "CRYPTO_CONSTRAINTS_FAILURE": "a weak or disallowed algorithm is used",
    "REVOKED_NO_POE": "the certificate is revoked and nothing proves the signature is older",
    "REVOKED_CA_NO_POE": "an issuing CA is revoked and nothing proves the signature is older",
    "OUT_OF_BOUNDS_NO_POE": (
        "the certificate has expired since and no timestamp proves the signature is older"
    ),
    "TRY_LATER": "the revocation status of a certificate is unknown",
    "NO_POE": "the signature timestamp could not be verified",
    "SIG_CONSTRAINTS_FAILURE": "the document was changed after signing in a way not allowed",
    "NO_SIGNATURE_FOUND": "no signature was found",
}


@dataclass
class Check:
    name: str  # one of CHECK_ORDER
    outcome: str  # passed | indeterminate | failed | "not applicable"
    detail: str = ""
    sub: str = ""  # the sub-indication this check raises when it is not passed

    @property
    def verdict(self) -> str:
        return self.outcome if self.outcome in INDICATIONS else ""


@dataclass
class SignerResult:
    label: str
    indication: str = INDETERMINATE
    sub_indication: str = ""
    reason: str = ""
    checks: list[Check] = field(default_factory=list)
    signing_time: datetime | None = None
    signing_time_source: str = ""  # "timestamp" | "claimed by the signer" | "validation time"
    facts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def sub_words(self) -> str:
        return SUB_INDICATIONS.get(self.sub_indication, "")

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)


@dataclass
class Verdict:
    """The verdict of one signed object (a CMS blob, an XML document, a PDF file)."""

    indication: str = INDETERMINATE
    sub_indication: str = ""
    reason: str = ""
    signers: list[SignerResult] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    trust: str = ""  # which anchors were used, in words
    validated_at: datetime | None = None

    @property
    def sub_words(self) -> str:
        return SUB_INDICATIONS.get(self.sub_indication, "")

    def to_json(self) -> dict:
        """Plain JSON any database stores: texts from hostile files lose NUL and surrogates."""
        data = asdict(self)
        data["validated_at"] = _iso(self.validated_at)
        for signer in data["signers"]:
            signer["signing_time"] = _iso(signer["signing_time"])
        return _storable(data)

    @classmethod
    def from_json(cls, data: dict) -> Verdict:
        signers = []
        for raw in data.get("signers", []):
            raw = dict(raw)
            raw["checks"] = [Check(**c) for c in raw.get("checks", [])]
            raw["signing_time"] = _parse(raw.get("signing_time"))
            raw["facts"] = [tuple(f) for f in raw.get("facts", [])]
            signers.append(SignerResult(**raw))
        return cls(
            indication=data.get("indication", INDETERMINATE),
            sub_indication=data.get("sub_indication", ""),
            reason=data.get("reason", ""),
            signers=signers,
            facts=[tuple(f) for f in data.get("facts", [])],
            trust=data.get("trust", ""),
            validated_at=_parse(data.get("validated_at")),
        )


def _storable(value):
    if isinstance(value, str):
        return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {k: _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    return value


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# Failed outranks indeterminate; within each, the first listed check decides the wording.
_FAILED_FROM = (INTEGRITY, SIGNATURE_VALUE, VALIDITY, REVOCATION)
_INDETERMINATE_FROM = (INTEGRITY, SIGNATURE_VALUE, CHAIN, VALIDITY, REVOCATION, TIMESTAMP)


def decide(signer: SignerResult) -> SignerResult:
    """Set the signer's indication from its checks: any failure fails, any doubt is doubt."""
    by_name = {c.name: c for c in signer.checks}
    signer.checks.sort(key=lambda c: CHECK_ORDER.index(c.name))
    for name in _FAILED_FROM:
        check = by_name.get(name)
        if check and check.outcome == FAILED:
            return _set(signer, FAILED, check)
    for name in _INDETERMINATE_FROM:
        check = by_name.get(name)
        if check is None or check.outcome in (INDETERMINATE, FAILED):
            if check is None:
                check = Check(name, INDETERMINATE, f"{name} was not checked", "FORMAT_FAILURE")
            return _set(signer, INDETERMINATE, check)
    signer.indication, signer.sub_indication = PASSED, ""
    signer.reason = "intact, signed by a certificate that chains to a trust anchor and was "
    signer.reason += "valid at the signing time"
    return signer


def _set(signer: SignerResult, indication: str, check: Check) -> SignerResult:
    signer.indication = indication
    signer.sub_indication = check.sub
    signer.reason = f"{check.name}: {check.detail}" if check.detail else check.name
    return signer


def overall(
    signers: list[SignerResult], *, facts=None, trust: str = "", validated_at=None
) -> Verdict:
    """The object's verdict: failed if any signer failed, passed only if every one passed."""
    verdict = Verdict(signers=signers, facts=list(facts or []), trust=trust)
    verdict.validated_at = validated_at
    if not signers:
        return failure(INDETERMINATE, "NO_SIGNATURE_FOUND", "no signature was found", verdict)
    for indication in (FAILED, INDETERMINATE):
        worst = next((s for s in signers if s.indication == indication), None)
        if worst is not None:
            verdict.indication, verdict.sub_indication = indication, worst.sub_indication
            count = sum(1 for s in signers if s.indication == indication)
            who = worst.label if len(signers) == 1 else f"{count} of {len(signers)} signatures"
            verdict.reason = f"{who}: {worst.reason}"
            return verdict
    verdict.indication = PASSED
    verdict.reason = (
        "the signature passed every check"
        if len(signers) == 1
        else f"all {len(signers)} signatures passed every check"
    )
    return verdict


def unreadable(label: str, exc: Exception) -> SignerResult:
    """A signer the validators could not process at all: failed, with the error's type.

    Signatures come from outside (providers, API clients); no input may break a page.
    """
    result = SignerResult(label=label)
    result.checks = [
        Check(INTEGRITY, FAILED, f"could not be processed ({type(exc).__name__})", "FORMAT_FAILURE")
    ]
    return decide(result)


def failure(indication: str, sub: str, reason: str, verdict: Verdict | None = None) -> Verdict:
    """A verdict for an object that could not be read far enough to have signers."""
    verdict = verdict or Verdict()
    verdict.indication, verdict.sub_indication, verdict.reason = indication, sub, reason
    return verdict
