"""Signing time and RFC 3161 signature timestamps of one CMS SignerInfo (CMS and PAdES)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pyhanko.sign.general import SignedDataCerts
from pyhanko.sign.validation import errors as pyhanko_errors
from pyhanko.sign.validation.generic_cms import collect_timing_info

from . import aio, trust
from .verdict import INDETERMINATE, NOT_APPLICABLE, PASSED, SUB_INDICATIONS, TIMESTAMP, Check


@dataclass
class Timing:
    signing_time: datetime
    source: str  # "timestamp" | "claimed by the signer" | "validation time"
    proven: bool
    check: Check
    claimed: datetime | None = None


def describe_tst(status) -> tuple[Check, datetime | None]:
    """Turn pyHanko's TimestampSignatureStatus into our timestamp check."""
    when = status.timestamp
    tsa = trust.short_name(status.signing_cert.subject) if status.signing_cert else "unknown TSA"
    at = f"{when:%Y-%m-%d %H:%M:%S} UTC by {tsa}"
    if not (status.intact and status.valid):
        return Check(
            TIMESTAMP, INDETERMINATE, f"the timestamp of {at} does not verify", "NO_POE"
        ), None
    if not status.trusted:
        problem = getattr(status.trust_problem_indic, "name", "")
        why = SUB_INDICATIONS.get(problem, "its TSA certificate does not validate")
        return (
            Check(
                TIMESTAMP,
                INDETERMINATE,
                f"the timestamp of {at} is intact, but for its TSA: {why}",
                "NO_POE",
            ),
            None,
        )
    return Check(TIMESTAMP, PASSED, f"RFC 3161 timestamp of {at}, verified"), when


def timing(
    signer_info,
    store: trust.TrustStore,
    certs: SignedDataCerts | None = None,
    *,
    crls=(),
    ocsps=(),
) -> Timing:
    """Proven time (a verified signature timestamp) beats the claimed signingTime beats now."""
    context = trust.validation_context(
        store, other_certs=certs.other_certs if certs else (), crls=crls, ocsps=ocsps
    )
    try:
        info = aio.run(
            collect_timing_info(
                signer_info, ts_validation_context=context, raw_digest=lambda _algo: b""
            )
        )
    except (pyhanko_errors.SignatureValidationError, ValueError, KeyError, TypeError) as exc:
        info = {"error": str(exc)}
    claimed = info.get("signer_reported_dt")
    if claimed is not None and claimed.tzinfo is None:
        claimed = claimed.replace(tzinfo=UTC)
    status = info.get("timestamp_validity")
    proven_at = None
    if "error" in info:
        check = Check(TIMESTAMP, INDETERMINATE, f"unreadable timestamp ({info['error']})", "NO_POE")
    elif status is not None:
        check, proven_at = describe_tst(status)
    else:
        check = Check(TIMESTAMP, NOT_APPLICABLE, "no signature timestamp")
    if proven_at is not None:
        return Timing(proven_at, "timestamp", True, check, claimed)
    if claimed is not None:
        return Timing(claimed, "claimed by the signer", False, check, claimed)
    return Timing(datetime.now(UTC), "validation time", False, check, None)
