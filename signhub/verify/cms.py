"""Verify a CMS/PKCS#7 SignedData (RFC 5652), signer by signer, with pyHanko.

Integrity and the signature value come from pyHanko's `validate_sig_integrity` (RSA PKCS#1
v1.5 and PSS, ECDSA, EdDSA, DSA), timestamps from its `collect_timing_info`; the chain goes
through `trust.chain_checks`. Detached content is checked only when it is supplied.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime

from asn1crypto import cms as asn1_cms
from asn1crypto import core as asn1_core
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.general import SignedDataCerts
from pyhanko.sign.validation import errors as pyhanko_errors
from pyhanko.sign.validation.generic_cms import validate_sig_integrity

from . import trust
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


def find_signer_cert(sid, certs: list[asn1_x509.Certificate]) -> asn1_x509.Certificate | None:
    if sid.name == "issuer_and_serial_number":
        wanted = sid.chosen
        for cert in certs:
            if (
                cert.issuer == wanted["issuer"]
                and cert.serial_number == wanted["serial_number"].native
            ):
                return cert
    elif sid.name == "subject_key_identifier":
        for cert in certs:
            if cert.key_identifier == sid.chosen.native:
                return cert
    return None


def sid_label(sid) -> str:
    if sid.name == "issuer_and_serial_number":
        chosen = sid.chosen
        serial = format(chosen["serial_number"].native, "X")
        return f"{chosen['issuer'].human_friendly}, serial {serial}"
    return f"key id {sid.chosen.native.hex()}"


def revocation_info(signed) -> tuple[list, list]:
    """CRLs and OCSP responses embedded in the SignedData's `crls` field."""
    crls, ocsps = [], []
    for choice in signed["crls"] or []:
        if choice.name == "crl":
            crls.append(choice.chosen)
        elif choice.name == "other":
            other = choice.chosen
            if other["other_rev_info_format"].native == "ocsp_response":
                ocsps.append(other["other_rev_info"])
    return crls, ocsps


def load_signed_data(data: bytes) -> asn1_cms.SignedData:
    """Parse strictly; raises ValueError with the reason in words."""
    try:
        info = asn1_cms.ContentInfo.load(bytes(data), strict=True)
        content_type = info["content_type"].native
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise ValueError(f"not DER-encoded CMS ({exc})") from None
    if content_type != "signed_data":
        raise ValueError(f"a CMS {content_type} structure, not SignedData")
    try:
        signed = info["content"]
        signed["encap_content_info"]["content_type"].native  # noqa: B018 - force parsing
        for cert in signed["certificates"] or []:
            cert.chosen.native  # noqa: B018
        signer_infos = list(signed["signer_infos"])
        for signer_info in signer_infos:
            signer_info["sid"].native  # noqa: B018
            signer_info["digest_algorithm"]["algorithm"].native  # noqa: B018
            signer_info["signed_attrs"].native  # noqa: B018
            signer_info["signature"].native  # noqa: B018
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise ValueError(f"a damaged CMS SignedData ({exc})") from None
    if not signer_infos:
        raise ValueError("a CMS SignedData without any signer")
    return signed


def _content(signed) -> bytes | None:
    content = signed["encap_content_info"]["content"]
    if content is asn1_core.VOID or content.contents is None:
        return None
    return bytes(content)


def verify(
    data: bytes, *, content: bytes | None = None, store: trust.TrustStore | None = None
) -> Verdict:
    """The verdict for a CMS blob; `content` is the detached content, when supplied."""
    store = store or trust.load()
    now = datetime.now(UTC)
    try:
        signed = load_signed_data(data)
    except ValueError as exc:
        return failure(FAILED, "FORMAT_FAILURE", f"this is {exc}", Verdict(trust=store.words))
    embedded = _content(signed)
    facts = [("Mode", "detached" if embedded is None else "enveloping (content embedded)")]
    if embedded is None and content is not None:
        facts.append(("Content", f"{len(content)} bytes supplied for this check (not stored)"))
    data_to_check = embedded if embedded is not None else content
    certs = [c.chosen for c in signed["certificates"] or [] if c.name == "certificate"]
    crls, ocsps = revocation_info(signed)
    signers = []
    for number, signer_info in enumerate(signed["signer_infos"], 1):
        try:
            signers.append(_signer(signer_info, signed, certs, crls, ocsps, data_to_check, store))
        except Exception as exc:  # hostile input must give a verdict, not a 500
            logger.warning("CMS signer %d could not be processed: %r", number, exc)
            signers.append(unreadable(f"signer {number}", exc))
    return overall(signers, facts=facts, trust=store.words, validated_at=now)


def _signer(signer_info, signed, certs, crls, ocsps, content, store) -> SignerResult:
    cert = find_signer_cert(signer_info["sid"], certs)
    label = trust.short_name(cert.subject) if cert is not None else sid_label(signer_info["sid"])
    result = SignerResult(label=label)
    others = [c for c in certs if c is not cert]
    result.checks += _integrity(signer_info, signed, cert, content)
    certs_info = SignedDataCerts(cert, others, []) if cert else None
    when = timing(signer_info, store, certs_info, crls=crls, ocsps=ocsps)
    result.signing_time, result.signing_time_source = when.signing_time, when.source
    result.checks.append(when.check)
    if cert is None:
        result.checks += trust.missing_certificate_checks()
    else:
        result.checks.append(trust.validity_check(cert, when.signing_time, when.source))
        result.checks += trust.chain_checks(
            cert,
            store,
            signing_time=when.signing_time,
            proven=when.proven,
            other_certs=others,
            crls=crls,
            ocsps=ocsps,
        )
        result.facts.append(
            (
                "Certificate",
                f"{cert.subject.human_friendly}, serial {cert.serial_number:X}, "
                f"issued by {cert.issuer.human_friendly}",
            )
        )
    algorithm = signer_info["signature_algorithm"]["algorithm"].native
    digest = signer_info["digest_algorithm"]["algorithm"].native
    result.facts.append(("Algorithms", f"{algorithm} with {digest}"))
    return decide(result)


def _integrity(signer_info, signed, cert, content: bytes | None) -> list[Check]:
    digest_name = signer_info["digest_algorithm"]["algorithm"].native
    has_attrs = bool(signer_info["signed_attrs"])
    if content is None:
        integrity = Check(
            INTEGRITY,
            INDETERMINATE,
            "the content is detached and was not supplied: upload it to check it",
            "SIGNED_DATA_NOT_FOUND",
        )
        actual = b""
    else:
        try:
            actual = hashlib.new(digest_name, content).digest()
        except (ValueError, TypeError):
            why = f"digest algorithm {digest_name} is not supported"
            return [
                Check(INTEGRITY, INDETERMINATE, why, "CRYPTO_CONSTRAINTS_FAILURE"),
                Check(SIGNATURE_VALUE, INDETERMINATE, why, "CRYPTO_CONSTRAINTS_FAILURE"),
            ]
        integrity = None
    if cert is None:
        value = Check(
            SIGNATURE_VALUE,
            INDETERMINATE,
            "not checked: the signer's certificate is not included",
            "NO_SIGNING_CERTIFICATE_FOUND",
        )
        if integrity is None:
            integrity = _digest_only(signer_info, actual)
        return [integrity, value]
    if not has_attrs and content is None:
        value = Check(
            SIGNATURE_VALUE,
            INDETERMINATE,
            "without signed attributes the signature covers the detached content itself",
            "SIGNED_DATA_NOT_FOUND",
        )
        return [integrity, value]
    expected_type = signed["encap_content_info"]["content_type"].native
    try:
        intact, valid = validate_sig_integrity(
            signer_info, cert, expected_content_type=expected_type, actual_digest=actual
        )
    except pyhanko_errors.SignatureValidationError as exc:
        problem = Check(INTEGRITY, FAILED, exc.failure_message, "FORMAT_FAILURE")
        return [problem, Check(SIGNATURE_VALUE, INDETERMINATE, "not checked", "FORMAT_FAILURE")]
    except (NotImplementedError, ValueError, TypeError, KeyError) as exc:
        why = f"unsupported or malformed algorithm ({exc})"
        return [
            integrity or Check(INTEGRITY, INDETERMINATE, why, "CRYPTO_CONSTRAINTS_FAILURE"),
            Check(SIGNATURE_VALUE, INDETERMINATE, why, "CRYPTO_CONSTRAINTS_FAILURE"),
        ]
    covered = "signed attributes" if has_attrs else "content"
    if valid:
        value = Check(
            SIGNATURE_VALUE, PASSED, f"matches the signer's public key over the {covered}"
        )
    else:
        value = Check(
            SIGNATURE_VALUE,
            FAILED,
            f"does not match the signer's public key over the {covered}",
            "SIG_CRYPTO_FAILURE",
        )
    if integrity is None:
        if intact:
            integrity = Check(INTEGRITY, PASSED, "the content matches the signed digest")
        else:
            integrity = Check(
                INTEGRITY, FAILED, "the content does not match the signed digest", "HASH_FAILURE"
            )
    return [integrity, value]


def _digest_only(signer_info, actual: bytes) -> Check:
    """Without a certificate the messageDigest can still be compared with the content."""
    for attr in signer_info["signed_attrs"] or []:
        if attr["type"].native == "message_digest":
            if attr["values"][0].native == actual:
                return Check(INTEGRITY, PASSED, "the content matches the signed digest")
            return Check(
                INTEGRITY, FAILED, "the content does not match the signed digest", "HASH_FAILURE"
            )
    return Check(INTEGRITY, INDETERMINATE, "no signed digest to compare", "FORMAT_FAILURE")
