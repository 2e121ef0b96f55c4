"""Signature samples made by real tools, and each tool's own verdict on them.

CMS by the OpenSSL CLI (`openssl cms -sign`, `openssl ts` for the RFC 3161 token), XMLDSig
by xmlsec1, PAdES by pyHanko. Built once per test session in a temporary folder (a few
seconds); `python -m tests.verify.samples DIR` writes them to DIR to look at by hand.
Every sample records the command a person would run to check it with the same tool.
"""

from __future__ import annotations

import asyncio
import io
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import cms as asn1_cms
from cryptography.hazmat.primitives import serialization

from tests.persist import pki

CONTENT = b"Employment contract: Alice Signer, salary 1000 EUR\n"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
XMLSEC1 = shutil.which("xmlsec1") or "/usr/bin/xmlsec1"


@dataclass
class Sample:
    name: str
    kind: str  # cms | xml | pdf
    path: Path
    what: str
    tool: str  # the command that checks it (for the docs table)
    tool_ok: bool = False
    tool_says: str = ""
    content: Path | None = None  # detached content, supplied to both tool and signhub
    expect: dict = field(default_factory=dict)

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()


def run(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def _last_line(proc: subprocess.CompletedProcess) -> str:
    lines = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    wanted = [line for line in lines if "error" in line.lower() or "verif" in line.lower()]
    return (wanted or lines or [""])[-1].strip()[:200]


# --- the PKI on disk ------------------------------------------------------------------------


SIGNERS = {
    "alice": ("Alice Signer", "rsa", "valid"),
    "bob": ("Bob Signer", "rsa", "valid"),
    "eve_ec": ("Eve Signer", "ec", "valid"),
    "expired": ("Old Signer", "rsa", "expired"),
    "future": ("New Signer", "rsa", "future"),
    "revoked": (pki.REVOKED, "rsa", "valid"),
}


def write_pki(root: Path) -> None:
    pki.write_trust_bundle(root / "anchors.pem")
    (root / "ca.pem").write_bytes(pki.pem(pki.ca()[1]))
    crl = root / "crl.der"
    crl.write_bytes(pki.crl_der())
    run(OPENSSL, "crl", "-inform", "DER", "-in", crl, "-out", root / "crl.pem", cwd=root)
    # OpenSSL reads CRLs from the CAfile too: one file for `-CAfile ... -crl_check`.
    (root / "ca-crl.pem").write_bytes(
        (root / "ca.pem").read_bytes() + (root / "crl.pem").read_bytes()
    )
    for short, (name, kind, window) in SIGNERS.items():
        key, cert = pki.signer(name, kind, window)
        (root / f"{short}.pem").write_bytes(pki.pem(cert))
        (root / f"{short}.key").write_bytes(pki.key_pem(key))
    key, cert = pki.signer("Mallory Signer", issuer="Untrusted Test CA")
    (root / "mallory.pem").write_bytes(pki.pem(cert))
    (root / "mallory.key").write_bytes(pki.key_pem(key))
    key, cert = pki.tsa()
    (root / "tsa.pem").write_bytes(pki.pem(cert))
    (root / "tsa.key").write_bytes(pki.key_pem(key))
    (root / "content.txt").write_bytes(CONTENT)


# --- CMS with the OpenSSL CLI --------------------------------------------------------------

CMS_VERIFY = "openssl cms -verify -binary -inform DER -in {name}.p7s -CAfile ca-crl.pem -crl_check{content} -out /dev/null"

CMS_SPECS = [
    # name, what, signer args, extra sign options, detached, post-processing
    ("cms-attached", "attached (content embedded), RSA PKCS#1 v1.5", ["alice"], [], False, None),
    ("cms-detached", "detached, content supplied separately", ["alice"], [], True, None),
    ("cms-two-signers", "two signers over the same content", ["alice", "bob"], [], False, None),
    (
        "cms-expired",
        "signer certificate expired two years before signing",
        ["expired"],
        [],
        False,
        None,
    ),
    ("cms-not-yet-valid", "signer certificate not yet valid", ["future"], [], False, None),
    (
        "cms-revoked",
        "signer certificate revoked before signing (CRL)",
        ["revoked"],
        [],
        False,
        None,
    ),
    (
        "cms-tampered-content",
        "embedded content changed after signing",
        ["alice"],
        [],
        False,
        "content",
    ),
    (
        "cms-wrong-signature",
        "one bit of the signature value flipped",
        ["alice"],
        [],
        False,
        "signature",
    ),
    (
        "cms-no-certificates",
        "signed with -nocerts: no certificate inside",
        ["alice"],
        ["-nocerts"],
        False,
        None,
    ),
    (
        "cms-rsa-pss",
        "RSA-PSS signature",
        ["alice"],
        ["-keyopt", "rsa_padding_mode:pss"],
        False,
        None,
    ),
    ("cms-ec", "ECDSA P-256 signer", ["eve_ec"], [], False, None),
    ("cms-untrusted", "signer from a CA that is not a trust anchor", ["mallory"], [], False, None),
    (
        "cms-timestamped",
        "attached + RFC 3161 signature timestamp (openssl ts)",
        ["alice"],
        [],
        False,
        "timestamp",
    ),
]

TS_CONFIG = """
[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
serial = {root}/tsaserial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _flip_content(data: bytes) -> bytes:
    return data.replace(b"salary 1000", b"salary 9000")


def _add_timestamp(root: Path, path: Path) -> None:
    """Timestamp the signature value with `openssl ts` and attach the token (unsigned)."""
    info = asn1_cms.ContentInfo.load(path.read_bytes())
    signer_info = info["content"]["signer_infos"][0]
    (root / "sigvalue.bin").write_bytes(signer_info["signature"].native)
    (root / "ts.cnf").write_text(TS_CONFIG.format(root=root))
    (root / "tsaserial").write_text("01\n")
    run(
        OPENSSL,
        "ts",
        "-query",
        "-data",
        "sigvalue.bin",
        "-sha256",
        "-cert",
        "-out",
        "req.tsq",
        cwd=root,
    )
    proc = run(
        OPENSSL, "ts", "-reply", "-config", "ts.cnf", "-queryfile", "req.tsq",
        "-signer", "tsa.pem", "-inkey", "tsa.key", "-chain", "ca.pem",
        "-token_out", "-out", "token.der", cwd=root,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    token = asn1_cms.ContentInfo.load((root / "token.der").read_bytes())
    signer_info["unsigned_attrs"] = asn1_cms.CMSAttributes(
        [{"type": "signature_time_stamp_token", "values": [token]}]
    )
    path.write_bytes(info.dump())


def build_cms(root: Path) -> list[Sample]:
    samples = []
    for name, what, who, options, detached, post in CMS_SPECS:
        path = root / f"{name}.p7s"
        args = [OPENSSL, "cms", "-sign", "-binary", "-md", "sha256", "-in", "content.txt"]
        for short in who:
            args += ["-signer", f"{short}.pem", "-inkey", f"{short}.key"]
        if "-nocerts" not in options:
            args += ["-certfile", "ca.pem"]
        args += options + ([] if detached else ["-nodetach"]) + ["-outform", "DER", "-out", path]
        proc = run(*args, cwd=root)
        assert proc.returncode == 0, (name, proc.stderr)
        if post == "content":
            path.write_bytes(_flip_content(path.read_bytes()))
        elif post == "signature":
            path.write_bytes(pki.tamper_signature(path.read_bytes()))
        elif post == "timestamp":
            _add_timestamp(root, path)
        # The CA's CRL travels inside the signature (unsigned field), as signing tools do.
        path.write_bytes(pki.add_crls(path.read_bytes(), pki.crl_der()))
        content = root / "content.txt" if detached else None
        command = CMS_VERIFY.format(name=name, content=" -content content.txt" if detached else "")
        proc = run(*command.split(), cwd=root)
        samples.append(
            Sample(
                name, "cms", path, what, command,
                tool_ok=proc.returncode == 0, tool_says=_last_line(proc), content=content,
            )
        )  # fmt: skip
    return samples


# --- XMLDSig with xmlsec1 --------------------------------------------------------------------

XML_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<Contract xmlns="urn:acme:hr"><Name>Alice Signer</Name><Salary>1000</Salary>
<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>{reference}</SignedInfo><SignatureValue/><KeyInfo><X509Data><X509Certificate/></X509Data></KeyInfo></Signature></Contract>
"""
SAME_DOCUMENT = '<Reference URI=""><Transforms><Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></Transforms><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue/></Reference>'
EXTERNAL = '<Reference URI="content.txt"><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue/></Reference>'
# This xmlsec1 build has no --crl-pem: it checks the chain to ca.pem, not revocation.
XML_VERIFY = "xmlsec1 --verify --trusted-pem ca.pem {name}.xml"


def build_xml(root: Path) -> list[Sample]:
    specs = [
        ("xml-good", "enveloped XMLDSig, RSA-SHA256", "alice", SAME_DOCUMENT, None),
        ("xml-tampered", "salary changed after signing", "alice", SAME_DOCUMENT, "content"),
        ("xml-wrong-signature", "SignatureValue altered", "alice", SAME_DOCUMENT, "signature"),
        ("xml-untrusted", "signer from a CA that is not a trust anchor", "mallory", SAME_DOCUMENT, None),
        ("xml-external-reference", "reference to a file outside the document", "alice", EXTERNAL, None),
    ]  # fmt: skip
    samples = []
    for name, what, who, reference, post in specs:
        template = root / f"{name}.template.xml"
        template.write_text(XML_TEMPLATE.format(reference=reference))
        path = root / f"{name}.xml"
        proc = run(
            XMLSEC1, "--sign", "--privkey-pem", f"{who}.key,{who}.pem",
            "--output", path, template, cwd=root,
        )  # fmt: skip
        assert proc.returncode == 0, (name, proc.stderr)
        if post == "content":
            path.write_bytes(path.read_bytes().replace(b"<Salary>1000<", b"<Salary>9000<"))
        elif post == "signature":
            data = path.read_bytes()
            start = data.index(b"<SignatureValue>") + len(b"<SignatureValue>") + 10
            flipped = b"A" if data[start : start + 1] != b"A" else b"B"
            path.write_bytes(data[:start] + flipped + data[start + 1 :])
        command = XML_VERIFY.format(name=name)
        proc = run(*command.split(), cwd=root)
        samples.append(
            Sample(
                name, "xml", path, what, command,
                tool_ok=proc.returncode == 0, tool_says=_last_line(proc),
            )
        )  # fmt: skip
    return samples


# --- PAdES with pyHanko ------------------------------------------------------------------------


def minimal_pdf(text: bytes = b"Employment contract") -> bytes:
    """A one-page PDF written by hand (no PDF library needed to make the unsigned file)."""
    stream = b"BT /F1 24 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def _asn1(cert):
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(pki.der(cert))


def _pdf_signer(name: str, issuer: str = "Acme Test CA"):
    from asn1crypto import keys as asn1_keys
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key, cert = pki.signer(name, issuer=issuer)
    private = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    chain = SimpleCertificateStore.from_certs([_asn1(pki.ca(issuer)[1])])
    return signers.SimpleSigner(signing_cert=_asn1(cert), signing_key=private, cert_registry=chain)


def _sign_pdf(pdf: bytes, field: str, name: str, issuer: str = "Acme Test CA") -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko_certvalidator import ValidationContext

    context = ValidationContext(
        trust_roots=[_asn1(pki.ca(issuer)[1])], crls=[pki.crl_der(issuer)], allow_fetching=False
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field, embed_validation_info=True, validation_context=context
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    return signers.sign_pdf(writer, meta, signer=_pdf_signer(name, issuer)).getvalue()


def _revise(pdf: bytes) -> bytes:
    """An incremental update after signing that replaces the page's text."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 720 Td (Salary 9000 EUR) Tj ET")
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _tamper_pdf(pdf: bytes) -> bytes:
    data = bytearray(pdf)
    at = data.index(b"Employment contract")
    data[at] = ord("X")
    return bytes(data)


def pyhanko_verdict(path: Path) -> tuple[bool, str]:
    """pyHanko's own judgement (bottom_line) with the test CA as anchor and its CRL."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    with path.open("rb") as handle:
        reader = PdfFileReader(handle, strict=False)
        words, ok = [], True
        for embedded in reader.embedded_signatures:
            context = ValidationContext(
                trust_roots=[_asn1(pki.ca()[1])], crls=[pki.crl_der()], allow_fetching=False
            )
            status = asyncio.run(async_validate_pdf_signature(embedded, context))
            ok = ok and status.bottom_line
            words.append(
                f"{embedded.field_name}: {'valid' if status.bottom_line else 'INVALID'}"
                f" (intact={status.intact}, trusted={status.trusted}, "
                f"{status.modification_level.name if status.modification_level else ''})"
            )
    return ok, "; ".join(words)


PDF_TOOL = "pyHanko async_validate_pdf_signature (anchor: ca.pem, CRL: crl.der) → bottom_line"


def build_pdf(root: Path) -> list[Sample]:
    one = _sign_pdf(minimal_pdf(), "Employee", "Alice Signer")
    made = {
        "pdf-one-signature": ("one approval signature", one),
        "pdf-two-signatures": (
            "employee then HR manager, each in its own revision",
            _sign_pdf(one, "HR", "Bob Signer"),
        ),
        "pdf-revised-after-signing": ("page text replaced in a later revision", _revise(one)),
        "pdf-tampered-byte": ("one byte of the signed content changed", _tamper_pdf(one)),
        "pdf-untrusted-signer": (
            "signer from a CA that is not a trust anchor",
            _sign_pdf(minimal_pdf(), "Employee", "Mallory Signer", "Untrusted Test CA"),
        ),
    }
    samples = []
    for name, (what, data) in made.items():
        path = root / f"{name}.pdf"
        path.write_bytes(data)
        ok, says = pyhanko_verdict(path)
        samples.append(Sample(name, "pdf", path, what, PDF_TOOL, tool_ok=ok, tool_says=says))
    return samples


def build_all(root: Path) -> dict[str, Sample]:
    root.mkdir(parents=True, exist_ok=True)
    write_pki(root)
    samples = [*build_cms(root), *build_xml(root), *build_pdf(root)]
    return {s.name: s for s in samples}


if __name__ == "__main__":  # pragma: no cover - a helper for people
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "samples")
    for sample in build_all(target).values():
        print(f"{sample.name:28} tool ok={sample.tool_ok!s:5} {sample.tool_says}")
