"""Describe a CMS/PKCS#7 SignedData blob (structure only; signhub.verify judges it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from asn1crypto import cms as asn1_cms

from signhub.verify.cms import find_signer_cert, sid_label

from .attributes import describe as describe_attribute
from .certinfo import CertInfo, describe


@dataclass
class SignerView:
    certificate: CertInfo | None
    identifier: str
    digest_algorithm: str
    signature_algorithm: str
    signing_time: Any = None
    attributes: list[tuple[str, str]] = field(default_factory=list)
    unsigned_attributes: list[tuple[str, str]] = field(default_factory=list)


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
            view.signers.append(_signer(signer_info, certs))
        return view
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        return CmsView(content_type="unknown", error=f"not a readable CMS structure ({exc})")


def _signer(signer_info, certs) -> SignerView:
    cert = find_signer_cert(signer_info["sid"], certs)
    view = SignerView(
        certificate=describe(cert) if cert is not None else None,
        identifier=sid_label(signer_info["sid"]),
        digest_algorithm=signer_info["digest_algorithm"]["algorithm"].native,
        signature_algorithm=signer_info["signature_algorithm"]["algorithm"].native,
    )
    for attr in signer_info["signed_attrs"] or []:
        if attr["type"].native == "signing_time":
            view.signing_time = attr["values"][0].native
        view.attributes.append(describe_attribute(attr))
    for attr in signer_info["unsigned_attrs"] or []:
        view.unsigned_attributes.append(describe_attribute(attr))
    return view
