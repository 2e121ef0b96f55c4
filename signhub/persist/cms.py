"""Decode a CMS/PKCS#7 SignedData blob with asn1crypto, and verify its signer signatures.

What "valid" means here: the signature value verifies with the signer certificate's public key
over the signed attributes (or over the content when there are none), and, when the content is
embedded, its digest equals the messageDigest attribute. Certificate trust (chain to a root,
revocation, validity at signing time) is NOT checked and the page says so.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from asn1crypto import cms as asn1_cms
from asn1crypto import x509 as asn1_x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa
from cryptography.x509 import load_der_x509_certificate

from .certinfo import CertInfo, describe

VALID, INVALID, UNKNOWN = "valid", "invalid", "cannot verify"

_HASHES = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
    "sha3_256": hashes.SHA3_256,
    "sha3_384": hashes.SHA3_384,
    "sha3_512": hashes.SHA3_512,
}


@dataclass
class Verification:
    status: str  # VALID | INVALID | UNKNOWN
    reason: str
    checks: list[tuple[str, str]] = field(default_factory=list)  # (what, outcome)


@dataclass
class SignerView:
    certificate: CertInfo | None
    identifier: str
    digest_algorithm: str
    signature_algorithm: str
    signing_time: Any = None
    attributes: list[tuple[str, str]] = field(default_factory=list)
    verification: Verification | None = None


@dataclass
class CmsView:
    content_type: str
    inner_content_type: str = ""
    detached: bool = True
    content_size: int | None = None
    digest_algorithms: list[str] = field(default_factory=list)
    signers: list[SignerView] = field(default_factory=list)
    certificates: list[CertInfo] = field(default_factory=list)
    error: str = ""

    @property
    def mode(self) -> str:
        return "detached" if self.detached else "enveloping"


def _attr_value(attr) -> str:
    values = attr["values"]
    try:
        natives = [v.native for v in values]
    except (ValueError, TypeError):
        return f"{len(values)} value(s), not decodable"
    parts = []
    for value in natives:
        if isinstance(value, bytes):
            parts.append(value.hex())
        else:
            parts.append(str(value))
    return "; ".join(parts)[:500]


def _find_cert(sid, certs: list[asn1_x509.Certificate]) -> asn1_x509.Certificate | None:
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


def _sid_label(sid) -> str:
    if sid.name == "issuer_and_serial_number":
        chosen = sid.chosen
        return f"{chosen['issuer'].human_friendly}, serial {format(chosen['serial_number'].native, 'X')}"
    return f"key id {sid.chosen.native.hex()}"


def decode(data: bytes) -> CmsView:
    """Never raises: a blob that does not parse gives a view with `error` set."""
    try:
        info = asn1_cms.ContentInfo.load(bytes(data), strict=True)
        content_type = info["content_type"].native
        view = CmsView(content_type=content_type)
        if content_type != "signed_data":
            view.error = f"content type is {content_type}, not signed data"
            return view
        signed = info["content"]
        encap = signed["encap_content_info"]
        view.inner_content_type = encap["content_type"].native
        content = encap["content"].native if encap["content"] else None
        view.detached = content is None
        view.content_size = len(content) if isinstance(content, bytes) else None
        view.digest_algorithms = [a["algorithm"].native for a in signed["digest_algorithms"]]
        certs = [c.chosen for c in (signed["certificates"] or []) if c.name == "certificate"]
        view.certificates = [describe(c) for c in certs]
        for signer_info in signed["signer_infos"]:
            view.signers.append(_signer(signer_info, certs, content))
        return view
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        return CmsView(content_type="unknown", error=f"not a readable CMS structure ({exc})")


def _signer(signer_info, certs, content: bytes | None) -> SignerView:
    cert = _find_cert(signer_info["sid"], certs)
    view = SignerView(
        certificate=describe(cert) if cert is not None else None,
        identifier=_sid_label(signer_info["sid"]),
        digest_algorithm=signer_info["digest_algorithm"]["algorithm"].native,
        signature_algorithm=signer_info["signature_algorithm"]["algorithm"].native,
    )
    for attr in signer_info["signed_attrs"] or []:
        name = attr["type"].native
        if name == "signing_time":
            view.signing_time = attr["values"][0].native
        view.attributes.append((name, _attr_value(attr)))
    view.verification = verify_signer(signer_info, cert, content)
    return view


def _hash_for(name: str):
    factory = _HASHES.get(name)
    return factory() if factory else None


def _verify_value(public_key, signature: bytes, data: bytes, signer_info) -> None:
    """Raises InvalidSignature, or UnsupportedAlgorithm for keys/algorithms we cannot check."""
    sig_algo = signer_info["signature_algorithm"]
    digest_name = signer_info["digest_algorithm"]["algorithm"].native
    hash_algo = _hash_for(digest_name)
    if isinstance(public_key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        public_key.verify(signature, data)
        return
    if hash_algo is None:
        raise UnsupportedAlgorithm(f"digest algorithm {digest_name}")
    if isinstance(public_key, rsa.RSAPublicKey):
        if sig_algo.signature_algo == "rsassa_pss":
            params = sig_algo["parameters"]
            pss_hash = _hash_for(params["hash_algorithm"]["algorithm"].native) or hash_algo
            mgf_hash = (
                _hash_for(params["mask_gen_algorithm"]["parameters"]["algorithm"].native)
                or pss_hash
            )
            pad = padding.PSS(mgf=padding.MGF1(mgf_hash), salt_length=params["salt_length"].native)
            public_key.verify(signature, data, pad, pss_hash)
        else:
            public_key.verify(signature, data, padding.PKCS1v15(), hash_algo)
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(hash_algo))
    elif isinstance(public_key, dsa.DSAPublicKey):
        public_key.verify(signature, data, hash_algo)
    else:
        raise UnsupportedAlgorithm(type(public_key).__name__)


def verify_signer(signer_info, cert, content: bytes | None) -> Verification:
    checks: list[tuple[str, str]] = [("certificate trust chain", "not checked")]
    if cert is None:
        return Verification(UNKNOWN, "the signer's certificate is not embedded", checks)
    try:
        public_key = load_der_x509_certificate(cert.dump()).public_key()
    except (ValueError, UnsupportedAlgorithm) as exc:
        return Verification(UNKNOWN, f"the signer's public key cannot be loaded ({exc})", checks)
    signature = signer_info["signature"].native
    signed_attrs = signer_info["signed_attrs"]
    if signed_attrs:
        # The signature covers the DER of the attributes as a SET OF (tag 0x31), not the
        # [0] IMPLICIT tag they carry inside SignerInfo (RFC 5652 §5.4).
        data = b"\x31" + signed_attrs.dump()[1:]
        covered = "signed attributes"
    elif content is not None:
        data, covered = content, "content"
    else:
        return Verification(
            UNKNOWN, "detached signature without signed attributes: content not available", checks
        )
    try:
        _verify_value(public_key, signature, data, signer_info)
    except InvalidSignature:
        checks.insert(0, (f"signature value over the {covered}", "does not match"))
        return Verification(INVALID, f"the signature value does not match the {covered}", checks)
    except (UnsupportedAlgorithm, ValueError, TypeError, KeyError) as exc:
        return Verification(UNKNOWN, f"unsupported or malformed algorithm ({exc})", checks)
    checks.insert(0, (f"signature value over the {covered}", "matches the signer's public key"))
    if not signed_attrs:
        return Verification(VALID, "signature value matches the content", checks)
    digest_attr = next((a for a in signed_attrs if a["type"].native == "message_digest"), None)
    if digest_attr is None:
        checks.insert(1, ("message digest", "attribute missing"))
        return Verification(INVALID, "the signed attributes lack a messageDigest", checks)
    if content is None:
        checks.insert(
            1, ("message digest vs content", "not checked (detached: content not stored)")
        )
        return Verification(
            VALID,
            "signature over the signed attributes verifies; the detached content was not checked",
            checks,
        )
    digest_name = signer_info["digest_algorithm"]["algorithm"].native
    try:
        actual = hashlib.new(digest_name, content).digest()
    except ValueError:
        checks.insert(1, ("message digest vs content", f"not checked ({digest_name} unsupported)"))
        return Verification(UNKNOWN, f"digest algorithm {digest_name} is not supported", checks)
    if actual != digest_attr["values"][0].native:
        checks.insert(1, ("message digest vs content", "does not match"))
        return Verification(INVALID, "the content does not match the signed messageDigest", checks)
    checks.insert(1, ("message digest vs content", "matches"))
    return Verification(VALID, "signature and content digest verify", checks)
