"""Verify an XML signature (XMLDSig, optionally XAdES) with signxml.

The XML is first parsed by defusedxml with DTDs forbidden (no entity expansion, no network);
only then does signxml check the signature value and each reference's digest. The signer
certificate (KeyInfo/X509Data) goes through the same chain/trust path as CMS. References to
anything outside the document are not fetched: such a signature is indeterminate.
"""

from __future__ import annotations

import base64
import binascii
import logging
from datetime import UTC, datetime

from asn1crypto import x509 as asn1_x509
from cryptography import x509 as pyca_x509
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from signxml import InvalidCertificate, InvalidDigest, InvalidInput, InvalidSignature, XMLVerifier
from signxml.verifier import SignatureConfiguration

from . import trust
from .verdict import (
    FAILED,
    INDETERMINATE,
    INTEGRITY,
    NOT_APPLICABLE,
    PASSED,
    SIGNATURE_VALUE,
    TIMESTAMP,
    Check,
    SignerResult,
    Verdict,
    decide,
    failure,
    overall,
    unreadable,
)

logger = logging.getLogger(__name__)

DS = "{http://www.w3.org/2000/09/xmldsig#}"
XADES = "{http://uri.etsi.org/01903/v1.3.2#}"


class _External(Exception):
    def __init__(self, uri: str) -> None:
        super().__init__(uri)
        self.uri = uri


class _Verifier(XMLVerifier):
    """signxml checks the certificate's validity *now*; we check it at the signing time."""

    def _check_cert_validity(self, cert, source) -> None:  # noqa: D102 - see class docstring
        return None


def safe_root(data: bytes):
    """The parsed root, or ValueError in words (DTDs and entities are refused)."""
    try:
        return SafeET.fromstring(bytes(data), forbid_dtd=True)
    except DefusedXmlException as exc:
        raise ValueError(
            f"refused XML ({type(exc).__name__}: DTDs and entities are not allowed)"
        ) from None
    except SafeET.ParseError as exc:
        raise ValueError(f"not well-formed XML ({exc})") from None


def signatures_in(root) -> list:
    return [root] if root.tag == f"{DS}Signature" else list(root.iter(f"{DS}Signature"))


def _certificates(signature) -> list[asn1_x509.Certificate]:
    certs = []
    for element in signature.iter(f"{DS}X509Certificate"):
        try:
            der = base64.b64decode("".join((element.text or "").split()), validate=True)
            certs.append(asn1_x509.Certificate.load(der, strict=True))
        except (binascii.Error, ValueError, TypeError):
            continue
    return certs


def _revocation_values(signature) -> tuple[list[bytes], list[bytes]]:
    """CRLs and OCSP responses a XAdES-X-L signature carries (RevocationValues)."""
    found: dict[str, list[bytes]] = {"crl": [], "ocsp": []}
    for kind, tag in (("crl", "EncapsulatedCRLValue"), ("ocsp", "EncapsulatedOCSPValue")):
        for element in signature.iter(f"{XADES}{tag}"):
            try:
                found[kind].append(base64.b64decode("".join((element.text or "").split())))
            except (binascii.Error, ValueError):
                continue
    return found["crl"], found["ocsp"]


def _signing_time(signature) -> datetime | None:
    text = signature.findtext(f".//{XADES}SigningTime")
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def verify(data: bytes, *, store: trust.TrustStore | None = None) -> Verdict:
    store = store or trust.load()
    now = datetime.now(UTC)
    try:
        root = safe_root(data)
    except ValueError as exc:
        return failure(FAILED, "FORMAT_FAILURE", str(exc), Verdict(trust=store.words))
    found = signatures_in(root)
    if not found:
        return failure(
            FAILED, "FORMAT_FAILURE", "the XML holds no ds:Signature", Verdict(trust=store.words)
        )
    facts = [("Signatures in the document", str(len(found)))]
    if len(found) > 1:
        facts.append(("Checked", "the first ds:Signature only"))
    try:
        result = _signer(data, found[0], store)
    except Exception as exc:  # hostile input must give a verdict, not a 500
        logger.warning("XML signature could not be processed: %r", exc)
        result = unreadable("XML signer", exc)
    return overall([result], facts=facts, trust=store.words, validated_at=now)


def _signer(data: bytes, signature, store: trust.TrustStore) -> SignerResult:
    certs = _certificates(signature)
    cert = certs[0] if certs else None
    label = trust.short_name(cert.subject) if cert is not None else "XML signer"
    result = SignerResult(label=label)
    references = [
        r.get("URI", "") for r in signature.iter(f"{DS}Reference") if r.get("URI") is not None
    ]
    result.facts.append(("References", ", ".join(repr(u) for u in references) or "none"))
    method = signature.find(f"{DS}SignedInfo/{DS}SignatureMethod")
    if method is not None:
        result.facts.append(("Signature method", method.get("Algorithm", "")))
    if cert is None:
        result.checks += [
            Check(
                SIGNATURE_VALUE,
                INDETERMINATE,
                "no X509Certificate in KeyInfo to check it with",
                "NO_SIGNING_CERTIFICATE_FOUND",
            ),
            Check(
                INTEGRITY,
                INDETERMINATE,
                "not checked without the signer's certificate",
                "NO_SIGNING_CERTIFICATE_FOUND",
            ),
        ]
        result.checks += trust.missing_certificate_checks()
        result.checks.append(Check(TIMESTAMP, NOT_APPLICABLE, "no signature timestamp"))
        return decide(result)
    result.checks += _crypto(data, cert)
    claimed = _signing_time(signature)
    when, source = (
        (claimed, "claimed by the signer")
        if claimed
        else (
            datetime.now(UTC),
            "validation time",
        )
    )
    result.signing_time, result.signing_time_source = when, source
    stamped = signature.find(f".//{XADES}SignatureTimeStamp") is not None
    result.checks.append(
        Check(
            TIMESTAMP,
            NOT_APPLICABLE,
            "a XAdES signature timestamp is present but not checked; the claimed time is used"
            if stamped
            else "no signature timestamp",
        )
    )
    result.checks.append(trust.validity_check(cert, when, source))
    crls, ocsps = _revocation_values(signature)
    result.checks += trust.chain_checks(
        cert, store, signing_time=when, proven=False, other_certs=certs[1:], crls=crls, ocsps=ocsps
    )
    result.facts.append(
        (
            "Certificate",
            f"{cert.subject.human_friendly}, serial {cert.serial_number:X}, "
            f"issued by {cert.issuer.human_friendly}",
        )
    )
    return decide(result)


def _crypto(data: bytes, cert: asn1_x509.Certificate) -> list[Check]:
    """Signature value over SignedInfo, then each reference's digest (signxml's order)."""
    pem = pyca_x509.load_der_x509_certificate(cert.dump())

    def no_fetching(uri: str):
        raise _External(uri)

    config = SignatureConfiguration(expect_references=False)
    try:
        _Verifier().verify(
            bytes(data), x509_cert=pem, expect_config=config, uri_resolver=no_fetching
        )
    except _External as exc:
        return [
            Check(SIGNATURE_VALUE, PASSED, "matches the signer's public key over SignedInfo"),
            Check(
                INTEGRITY,
                INDETERMINATE,
                f"the reference {exc.uri!r} points outside the document and is not fetched",
                "SIGNED_DATA_NOT_FOUND",
            ),
        ]
    except InvalidDigest as exc:
        return [
            Check(SIGNATURE_VALUE, PASSED, "matches the signer's public key over SignedInfo"),
            Check(
                INTEGRITY, FAILED, f"a reference's digest does not match ({exc})", "HASH_FAILURE"
            ),
        ]
    except InvalidCertificate as exc:
        return [
            Check(
                SIGNATURE_VALUE, INDETERMINATE, f"certificate unusable ({exc})", "FORMAT_FAILURE"
            ),
            Check(INTEGRITY, INDETERMINATE, "not checked", "FORMAT_FAILURE"),
        ]
    except InvalidSignature as exc:
        return [
            Check(
                SIGNATURE_VALUE,
                FAILED,
                f"does not match the signer's public key ({exc})",
                "SIG_CRYPTO_FAILURE",
            ),
            Check(
                INTEGRITY,
                INDETERMINATE,
                "not checked: the signature value failed",
                "SIG_CRYPTO_FAILURE",
            ),
        ]
    except InvalidInput as exc:
        words = str(exc)
        sub = "CRYPTO_CONSTRAINTS_FAILURE" if "forbidden" in words.lower() else "FORMAT_FAILURE"
        return [
            Check(SIGNATURE_VALUE, INDETERMINATE, f"not checked ({words})", sub),
            Check(INTEGRITY, INDETERMINATE, f"not checked ({words})", sub),
        ]
    except (ValueError, TypeError, KeyError) as exc:
        why = f"not checked ({type(exc).__name__}: {exc})"
        return [
            Check(SIGNATURE_VALUE, INDETERMINATE, why, "FORMAT_FAILURE"),
            Check(INTEGRITY, INDETERMINATE, why, "FORMAT_FAILURE"),
        ]
    return [
        Check(SIGNATURE_VALUE, PASSED, "matches the signer's public key over SignedInfo"),
        Check(INTEGRITY, PASSED, "every reference's digest matches"),
    ]
