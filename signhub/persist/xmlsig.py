"""Describe an XML signature, parsed only through defusedxml (no DTDs, no entity expansion).

Structure only: signhub.verify.xmldsig checks the signature (signxml) and gives the verdict.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

from asn1crypto import x509 as asn1_x509
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from .certinfo import CertInfo, describe

DS = "{http://www.w3.org/2000/09/xmldsig#}"


@dataclass
class Reference:
    uri: str
    digest_method: str
    digest_value: str
    transforms: list[str] = field(default_factory=list)


@dataclass
class XmlView:
    root: str = ""
    signature_method: str = ""
    canonicalization_method: str = ""
    references: list[Reference] = field(default_factory=list)
    certificates: list[CertInfo] = field(default_factory=list)
    subject_names: list[str] = field(default_factory=list)
    issuer_serials: list[str] = field(default_factory=list)
    signature_count: int = 0
    error: str = ""


def _alg(element) -> str:
    return element.get("Algorithm", "") if element is not None else ""


def decode(data: bytes) -> XmlView:
    """Never raises: a blob that does not parse gives a view with `error` set."""
    try:
        root = SafeET.fromstring(bytes(data), forbid_dtd=True)
    except DefusedXmlException as exc:
        return XmlView(error=f"refused: {type(exc).__name__} (DTDs and entities are not allowed)")
    except SafeET.ParseError as exc:
        return XmlView(error=f"not well-formed XML ({exc})")
    view = XmlView(root=root.tag)
    signatures = [root] if root.tag == f"{DS}Signature" else list(root.iter(f"{DS}Signature"))
    view.signature_count = len(signatures)
    if not signatures:
        view.error = "no ds:Signature element found"
        return view
    sig = signatures[0]
    signed_info = sig.find(f"{DS}SignedInfo")
    if signed_info is not None:
        view.signature_method = _alg(signed_info.find(f"{DS}SignatureMethod"))
        view.canonicalization_method = _alg(signed_info.find(f"{DS}CanonicalizationMethod"))
        for ref in signed_info.findall(f"{DS}Reference"):
            view.references.append(
                Reference(
                    uri=ref.get("URI", ""),
                    digest_method=_alg(ref.find(f"{DS}DigestMethod")),
                    digest_value=(ref.findtext(f"{DS}DigestValue") or "").strip(),
                    transforms=[_alg(t) for t in ref.iter(f"{DS}Transform")],
                )
            )
    for x509_data in sig.iter(f"{DS}X509Data"):
        for text in x509_data.findall(f"{DS}X509Certificate"):
            try:
                der = base64.b64decode("".join((text.text or "").split()), validate=True)
                view.certificates.append(describe(asn1_x509.Certificate.load(der, strict=True)))
            except (binascii.Error, ValueError, TypeError, KeyError) as exc:
                view.error = f"an X509Certificate could not be read ({exc})"
        view.subject_names += [
            (e.text or "").strip() for e in x509_data.findall(f"{DS}X509SubjectName")
        ]
        for serial in x509_data.findall(f"{DS}X509IssuerSerial"):
            issuer = (serial.findtext(f"{DS}X509IssuerName") or "").strip()
            number = (serial.findtext(f"{DS}X509SerialNumber") or "").strip()
            view.issuer_serials.append(f"{issuer}, serial {number}")
    return view
