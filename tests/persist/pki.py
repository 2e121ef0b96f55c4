"""A throw-away PKI for tests: self-signed CA, a signer, and real CMS blobs made by `cryptography`."""

from __future__ import annotations

import datetime as dt
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Acme HR"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _cert(subject, issuer, public_key, signing_key, serial: int, ca: bool) -> x509.Certificate:
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(signing_key, hashes.SHA256())
    )


@cache
def ca():
    key = ec.generate_private_key(ec.SECP256R1())
    return key, _cert(
        _name("Acme Test CA"), _name("Acme Test CA"), key.public_key(), key, 1000, True
    )


@cache
def signer(common_name: str = "Alice Signer", kind: str = "rsa"):
    ca_key, ca_cert = ca()
    if kind == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        key = ec.generate_private_key(ec.SECP256R1())
    serial = 2000 + sum(map(ord, common_name + kind))
    cert = _cert(_name(common_name), ca_cert.subject, key.public_key(), ca_key, serial, False)
    return key, cert


def make_cms(
    content: bytes = b"employment contract v1",
    *,
    detached: bool = False,
    signer_name: str = "Alice Signer",
    kind: str = "rsa",
) -> bytes:
    """DER CMS SignedData with signed attributes (content type, signing time, messageDigest)."""
    key, cert = signer(signer_name, kind)
    options = [pkcs7.PKCS7Options.Binary]
    if detached:
        options.append(pkcs7.PKCS7Options.DetachedSignature)
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content)
        .add_signer(cert, key, hashes.SHA256())
        .add_certificate(ca()[1])
        .sign(serialization.Encoding.DER, options)
    )


def tamper_content(der: bytes, old: bytes, new: bytes) -> bytes:
    """Swap the embedded content for same-length bytes: the messageDigest no longer matches."""
    assert len(old) == len(new) and der.count(old) == 1
    return der.replace(old, new)


def tamper_signature(der: bytes) -> bytes:
    """Flip the last byte, which is inside the signature value (no unsigned attributes)."""
    return der[:-1] + bytes([der[-1] ^ 0x01])


def cert_der_b64(common_name: str = "Alice Signer") -> str:
    import base64

    return base64.b64encode(
        signer(common_name)[1].public_bytes(serialization.Encoding.DER)
    ).decode()


def xml_signature(common_name: str = "Alice Signer") -> bytes:
    """A minimal enveloped XML-DSig document (not cryptographically valid: we only describe XML)."""
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
