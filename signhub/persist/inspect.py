"""One decoded view per stored version (structure + verdict), and the compare page's facts."""

from __future__ import annotations

from dataclasses import dataclass

from signhub.verify import cms as verify_cms
from signhub.verify import xmldsig as verify_xml
from signhub.verify.verdict import INDETERMINATE, Verdict, failure

from . import cms, xmlsig
from .attributes import when
from .models import Signature


@dataclass
class Decoded:
    kind: str
    verdict: Verdict
    cms: cms.CmsView | None = None
    xml: xmlsig.XmlView | None = None

    @property
    def error(self) -> str:
        view = self.cms or self.xml
        if view is None:
            return "an opaque blob: signhub does not read it"
        return view.error


def decode(sig: Signature, *, content: bytes | None = None) -> Decoded:
    """`content` is a detached signature's content, supplied for this check only."""
    data = bytes(sig.blob)
    if sig.kind == Signature.Kind.XML:
        return Decoded("xml", verify_xml.verify(data), xml=xmlsig.decode(data))
    if sig.kind == Signature.Kind.CMS:
        return Decoded("cms", verify_cms.verify(data, content=content), cms=cms.decode(data))
    verdict = failure(
        INDETERMINATE,
        "FORMAT_FAILURE",
        "stored as an opaque blob (SIGNHUB_PERSIST_ALLOW_OPAQUE): not a signature signhub reads",
    )
    return Decoded("raw", verdict)


def facts(sig: Signature, decoded: Decoded) -> list[tuple[str, str]]:
    """Ordered (label, value) pairs; compare shows two of these lists side by side."""
    rows = [
        ("Version", str(sig.version)),
        ("Saved at", when(sig.created_at)),
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
            (
                "Signing time",
                "; ".join(when(s.signing_time) if s.signing_time else "" for s in signers),
            ),
            ("Digest algorithms", ", ".join(view.digest_algorithms)),
        ]
    elif decoded.xml is not None:
        view = decoded.xml
        rows += [
            ("Signature method", view.signature_method),
            ("Certificates", "; ".join(c.summary for c in view.certificates)),
        ]
    rows.append(("Verification", decoded.verdict.indication))
    if decoded.verdict.sub_indication:
        rows.append(("Why", decoded.verdict.sub_words))
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
