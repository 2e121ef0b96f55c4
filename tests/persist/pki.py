"""A throw-away PKI for tests: a CA with a CRL, signers (good, expired, not yet valid,
revoked, untrusted), a TSA, and CMS/XML blobs made by `cryptography` and signxml.

Everything is made at import-free call time and cached per process. Signatures made by the
real tools (OpenSSL, xmlsec1, pyHanko) live in tests/verify/samples.py; this module only
supplies the keys and certificates they use.
"""

from __future__ import annotations

import base64
import datetime as dt
from functools import cache
from pathlib import Path

from asn1crypto import cms as asn1_cms
from asn1crypto import crl as asn1_crl
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
YEAR = dt.timedelta(days=365)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Acme HR"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key(kind: str):
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def _build(
    subject: str,
    issuer_cert,
    issuer_key,
    public_key,
    *,
    serial: int,
    ca: bool,
    not_before: dt.datetime,
    not_after: dt.datetime,
    eku=None,
    ocsp_url: str = "",
) -> x509.Certificate:
    issuer_name = issuer_cert.subject if issuer_cert is not None else _name(subject)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if issuer_cert is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key()),
            critical=False,
        )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    if ocsp_url:
        access = x509.AccessDescription(
            x509.oid.AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url)
        )
        builder = builder.add_extension(x509.AuthorityInformationAccess([access]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def ca(common_name: str = "Acme Test CA"):
    return _ca(common_name)  # one cache key however it is called


@cache
def _ca(common_name: str):
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _build(
        common_name,
        None,
        key,
        key.public_key(),
        serial=1000 + len(common_name),
        ca=True,
        not_before=NOW - 10 * YEAR,
        not_after=NOW + 10 * YEAR,
    )
    return key, cert


def untrusted_ca():
    return ca("Untrusted Test CA")


_WINDOWS = {
    "valid": (-1, 5),
    "expired": (-6, -2),  # expired two years before anything is signed
    "future": (1, 3),  # not yet valid
}


def signer(
    common_name: str = "Alice Signer",
    kind: str = "rsa",
    window: str = "valid",
    issuer: str = "Acme Test CA",
):
    return _signer(common_name, kind, window, issuer)


# Signers whose certificate names an OCSP responder (AIA), so OCSP answers apply to them.
OCSP_SIGNERS = ("Otto Signer", "Olga Signer")
OCSP_URL = "http://ocsp.acme.invalid/"


@cache
def _signer(common_name: str, kind: str, window: str, issuer: str):
    ca_key, ca_cert = ca(issuer)
    key = _key(kind)
    start, end = _WINDOWS[window]
    cert = _build(
        common_name,
        ca_cert,
        ca_key,
        key.public_key(),
        serial=serial_of(common_name, kind, window),
        ca=False,
        not_before=NOW + start * YEAR,
        not_after=NOW + end * YEAR,
        ocsp_url=OCSP_URL if common_name in OCSP_SIGNERS else "",
    )
    return key, cert


def serial_of(common_name: str, kind: str = "rsa", window: str = "valid") -> int:
    return 2000 + sum(map(ord, common_name + kind + window))


REVOKED = "Revoked Signer"


@cache
def tsa():
    ca_key, ca_cert = ca()
    key = _key("rsa")
    cert = _build(
        "Acme Test TSA",
        ca_cert,
        ca_key,
        key.public_key(),
        serial=3000,
        ca=False,
        not_before=NOW - YEAR,
        not_after=NOW + 5 * YEAR,
        eku=[ExtendedKeyUsageOID.TIME_STAMPING],
    )
    return key, cert


def crl_der(issuer: str = "Acme Test CA") -> bytes:
    return _crl_der(issuer)


@cache
def _crl_der(issuer: str) -> bytes:
    """The CA's CRL: the Revoked Signer's certificate was revoked a week ago."""
    ca_key, ca_cert = ca(issuer)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(NOW - dt.timedelta(days=1))
        .next_update(NOW + dt.timedelta(days=30))
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),
            critical=False,
        )
        .add_extension(x509.CRLNumber(1), critical=False)
    )
    revoked = (
        x509.RevokedCertificateBuilder()
        .serial_number(serial_of(REVOKED))
        .revocation_date(NOW - dt.timedelta(days=7))
        .build()
    )
    builder = builder.add_revoked_certificate(revoked)
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def write_trust_bundle(path: Path, *cas: str) -> Path:
    path.write_bytes(b"".join(pem(ca(name)[1]) for name in cas or ("Acme Test CA",)))
    return path


def add_crls(der_cms: bytes, *crls: bytes) -> bytes:
    """Embed CRLs in a SignedData's unsigned `crls` field (the signature is unchanged)."""
    info = asn1_cms.ContentInfo.load(der_cms)
    signed = info["content"]
    choices = [
        asn1_cms.RevocationInfoChoice({"crl": asn1_crl.CertificateList.load(c)}) for c in crls
    ]
    signed["crls"] = asn1_cms.RevocationInfoChoices(choices)
    return asn1_cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump()


def make_cms(
    content: bytes = b"employment contract v1",
    *,
    detached: bool = False,
    signer_name: str = "Alice Signer",
    kind: str = "rsa",
    window: str = "valid",
    with_crl: bool = True,
) -> bytes:
    """DER CMS SignedData with signed attributes (content type, signing time, messageDigest)."""
    key, cert = signer(signer_name, kind, window)
    options = [pkcs7.PKCS7Options.Binary]
    if detached:
        options.append(pkcs7.PKCS7Options.DetachedSignature)
    data = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content)
        .add_signer(cert, key, hashes.SHA256())
        .add_certificate(ca()[1])
        .sign(serialization.Encoding.DER, options)
    )
    return add_crls(data, crl_der()) if with_crl else data


def tamper_content(der_cms: bytes, old: bytes, new: bytes) -> bytes:
    """Swap the embedded content for same-length bytes: the messageDigest no longer matches."""
    assert len(old) == len(new) and der_cms.count(old) == 1
    return der_cms.replace(old, new)


def tamper_signature(der_cms: bytes) -> bytes:
    """Flip a bit inside the first signer's signature value."""
    info = asn1_cms.ContentInfo.load(der_cms)
    signer_info = info["content"]["signer_infos"][0]
    value = bytearray(signer_info["signature"].native)
    value[len(value) // 2] ^= 0x01
    signer_info["signature"] = asn1_cms.OctetString(bytes(value))
    return info.dump()


def cert_der_b64(common_name: str = "Alice Signer") -> str:
    return base64.b64encode(der(signer(common_name)[1])).decode()


def xml_signed(common_name: str = "Alice Signer", body: str = "Alice") -> bytes:
    """An enveloped XMLDSig (RSA-SHA256) made by signxml over a small HR document."""
    from lxml import etree
    from signxml import XMLSigner

    key, cert = signer(common_name)
    root = etree.fromstring(f'<Contract xmlns="urn:acme:hr"><Name>{body}</Name></Contract>')
    signed = XMLSigner().sign(root, key=key, cert=[pem(cert).decode()])
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def xml_signature(common_name: str = "Alice Signer") -> bytes:
    """A structurally complete XMLDSig whose digest and signature values are made up."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Contract xmlns="urn:acme:hr"><Name>Alice</Name>
<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
 <ds:SignedInfo>
  <ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
  <ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
  <ds:Reference URI="">
   <ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></ds:Transforms>
   <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
   <ds:DigestValue>q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=</ds:DigestValue>
  </ds:Reference>
 </ds:SignedInfo>
 <ds:SignatureValue>AAAA</ds:SignatureValue>
 <ds:KeyInfo><ds:X509Data>
  <ds:X509SubjectName>CN={common_name},O=Acme HR,C=KZ</ds:X509SubjectName>
  <ds:X509Certificate>{cert_der_b64(common_name)}</ds:X509Certificate>
 </ds:X509Data></ds:KeyInfo>
</ds:Signature></Contract>""".encode()
