"""Verify the PAdES/PDF signatures of a file with pyHanko, one result per signature field.

pyHanko says whether the signed byte ranges are intact, whether the signature value matches,
what the signature covers (the whole file, or a revision that later ones were added to) and
whether those later changes are of an allowed kind. The chain, validity at signing time and
revocation go through `trust`, like CMS and XML; timestamps through `timing`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation import errors as pyhanko_errors
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.status import SignatureCoverageLevel

from . import aio, trust
from .cms import revocation_info
from .timing import timing
from .verdict import (
    FAILED,
    INDETERMINATE,
    INTEGRITY,
    PASSED,
    SIGNATURE_VALUE,
    Check,
    SignerResult,
    Verdict,
    decide,
    failure,
    overall,
    unreadable,
)

logger = logging.getLogger(__name__)

_MODIFICATIONS = {
    ModificationLevel.NONE: "none",
    ModificationLevel.LTA_UPDATES: "validation data and timestamps only",
    ModificationLevel.FORM_FILLING: "form filling and further signatures",
    ModificationLevel.ANNOTATIONS: "annotations",
    ModificationLevel.OTHER: "changes to the content",
}


def _dss_revocation(reader) -> tuple[list, list, list]:
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except (KeyError, ValueError, TypeError, PdfReadError):
        return [], [], []
    crls = [ref.get_object().data for ref in dss.crls]
    ocsps = [ref.get_object().data for ref in dss.ocsps]
    return list(dss.load_certs()), crls, ocsps


def verify_file(fileobj, *, store: trust.TrustStore | None = None) -> Verdict:
    """`fileobj` is a seekable binary file (a temporary file of the download)."""
    store = store or trust.load()
    now = datetime.now(UTC)
    try:
        reader = PdfFileReader(fileobj, strict=False)
        found = list(reader.embedded_signatures)
    except Exception as exc:  # a provider's file is hostile input: a verdict, never a 500
        words = str(exc)[:200] if isinstance(exc, PdfReadError | ValueError) else ""
        why = f"not a readable PDF ({words or type(exc).__name__})"
        return failure(FAILED, "FORMAT_FAILURE", why, Verdict(trust=store.words))
    dss_certs, dss_crls, dss_ocsps = _dss_revocation(reader)
    facts = [
        ("Revisions", str(reader.xrefs.total_revisions)),
        ("Signature fields", str(len(found))),
    ]
    signers = []
    for embedded in found:
        try:
            signers.append(_signature(embedded, store, dss_certs, dss_crls, dss_ocsps))
        except Exception as exc:  # one broken field must not hide the others
            logger.info("PDF signature %r could not be read: %r", embedded.field_name, exc)
            signers.append(unreadable(f"field {embedded.field_name}", exc))
    return overall(signers, facts=facts, trust=store.words, validated_at=now)


def _signature(embedded, store, dss_certs, dss_crls, dss_ocsps) -> SignerResult:
    cert = embedded.signer_cert
    result = SignerResult(label=f"{trust.short_name(cert.subject)} (field {embedded.field_name})")
    context = trust.validation_context(store, other_certs=embedded.other_embedded_certs)
    try:
        status = aio.run(
            async_validate_pdf_signature(
                embedded, signer_validation_context=context, ts_validation_context=context
            )
        )
    except pyhanko_errors.SignatureValidationError as exc:
        result.checks = [Check(INTEGRITY, FAILED, exc.failure_message, "FORMAT_FAILURE")]
        return decide(result)
    result.checks += _integrity(status)
    result.checks.append(
        Check(SIGNATURE_VALUE, PASSED, "matches the signer's public key")
        if status.valid
        else Check(
            SIGNATURE_VALUE, FAILED, "does not match the signer's public key", "SIG_CRYPTO_FAILURE"
        )
    )
    crls, ocsps = revocation_info(embedded.signed_data)
    when = timing(embedded.signer_info, store, crls=[*crls, *dss_crls], ocsps=[*ocsps, *dss_ocsps])
    result.signing_time, result.signing_time_source = when.signing_time, when.source
    result.checks.append(when.check)
    result.checks.append(trust.validity_check(cert, when.signing_time, when.source))
    result.checks += trust.chain_checks(
        cert,
        store,
        signing_time=when.signing_time,
        proven=when.proven,
        other_certs=[*embedded.other_embedded_certs, *dss_certs],
        crls=[*crls, *dss_crls],
        ocsps=[*ocsps, *dss_ocsps],
    )
    result.facts += [
        ("Field", str(embedded.field_name)),
        ("Covers", _coverage(status)),
        ("Changes after signing", _modifications(status)),
        (
            "Certificate",
            f"{cert.subject.human_friendly}, serial {cert.serial_number:X}, "
            f"issued by {cert.issuer.human_friendly}",
        ),
        ("Algorithms", f"{status.pkcs7_signature_mechanism} with {status.md_algorithm}"),
    ]
    return decide(result)


def _coverage(status) -> str:
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return "the whole document"
    if status.coverage == SignatureCoverageLevel.ENTIRE_REVISION:
        return "its revision of the document; later revisions were added after signing"
    return "only part of the file (its byte range does not end at a revision)"


def _modifications(status) -> str:
    if status.modification_level is None:
        return "not analysed"
    words = _MODIFICATIONS.get(status.modification_level, str(status.modification_level))
    return words if status.docmdp_ok else f"{words} — not allowed by this signature"


def _integrity(status) -> list[Check]:
    if not status.intact:
        return [
            Check(
                INTEGRITY,
                FAILED,
                "the signed bytes were changed after signing (digest mismatch)",
                "HASH_FAILURE",
            )
        ]
    if status.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        return [
            Check(
                INTEGRITY,
                FAILED,
                "the signature does not cover a whole revision of the document",
                "FORMAT_FAILURE",
            )
        ]
    if status.modification_level is not None and not status.docmdp_ok:
        return [
            Check(
                INTEGRITY,
                INDETERMINATE,
                "intact, but a later revision changed the document in a way this signature "
                f"does not allow ({_MODIFICATIONS.get(status.modification_level, '')})",
                "SIG_CONSTRAINTS_FAILURE",
            )
        ]
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return [Check(INTEGRITY, PASSED, "the signed bytes are intact and cover the whole file")]
    return [
        Check(
            INTEGRITY,
            PASSED,
            "the signed revision is intact; later revisions only add "
            f"{_MODIFICATIONS.get(status.modification_level, 'allowed changes')}",
        )
    ]
