"""One decoded view per stored version, and the facts the compare page puts side by side."""

from __future__ import annotations

from dataclasses import dataclass

from . import cms, xmlsig
from .models import Signature


@dataclass
class Decoded:
    kind: str
    cms: cms.CmsView | None = None
    xml: xmlsig.XmlView | None = None

    @property
    def error(self) -> str:
        view = self.cms or self.xml
        return view.error if view else "unknown kind"

    @property
    def verdict(self) -> str:
        """Overall: invalid if any signer is invalid, valid only if every signer verified."""
        if self.cms is None or not self.cms.signers:
            return cms.UNKNOWN
        statuses = {s.verification.status for s in self.cms.signers if s.verification}
        if cms.INVALID in statuses:
            return cms.INVALID
        if statuses == {cms.VALID}:
            return cms.VALID
        return cms.UNKNOWN


def decode(sig: Signature) -> Decoded:
    data = bytes(sig.blob)
    if sig.kind == Signature.Kind.XML:
        return Decoded(kind="xml", xml=xmlsig.decode(data))
    return Decoded(kind="cms", cms=cms.decode(data))


def facts(sig: Signature, decoded: Decoded) -> list[tuple[str, str]]:
    """Ordered (label, value) pairs; compare shows two of these lists side by side."""
    rows = [
        ("Version", str(sig.version)),
        ("Saved at (UTC)", sig.created_at.strftime("%Y-%m-%d %H:%M:%S")),
        ("Created by", sig.version_created_by or ""),
        ("Comment", sig.version_comment or ""),
        ("Tags", ", ".join(sig.tags)),
        ("Stage", sig.stage or ""),
        ("Format", sig.get_kind_display()),
        ("Size (bytes)", str(sig.size)),
        ("SHA-256", sig.sha256),
    ]
    if decoded.cms is not None:
        view = decoded.cms
        signers = view.signers
        rows += [
            ("Mode", view.mode if not view.error else ""),
            (
                "Signers",
                "; ".join(
                    s.certificate.subject if s.certificate else s.identifier for s in signers
                ),
            ),
            (
                "Signer certificates",
                "; ".join(
                    f"serial {s.certificate.serial}, issuer {s.certificate.issuer}"
                    for s in signers
                    if s.certificate
                ),
            ),
            ("Signing time", "; ".join(str(s.signing_time or "") for s in signers)),
            ("Digest algorithms", ", ".join(view.digest_algorithms)),
            ("Verification", decoded.verdict),
        ]
    elif decoded.xml is not None:
        view = decoded.xml
        rows += [
            ("Signature method", view.signature_method),
            ("Certificates", "; ".join(c.summary for c in view.certificates)),
            ("Verification", cms.UNKNOWN),
        ]
    if decoded.error:
        rows.append(("Problem", decoded.error))
    return rows


def compare_rows(a: list[tuple[str, str]], b: list[tuple[str, str]]) -> list[dict]:
    right = dict(b)
    labels = [label for label, _ in a] + [label for label, _ in b if label not in dict(a)]
    left = dict(a)
    return [
        {
            "label": label,
            "a": left.get(label, ""),
            "b": right.get(label, ""),
            "changed": left.get(label, "") != right.get(label, "") and label != "Version",
        }
        for label in labels
    ]
