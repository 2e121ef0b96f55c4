"""Demo data for the signature viewer: a few chains with versions, CMS and XML, made now.

`seed_chains()` signs with a throw-away demo CA generated at run time (cryptography for CMS,
signxml for XML: no subprocess), so the verdicts show real checks. Chains are attached to
documents already in the index when there are some, so reviewers see them too. Idempotent:
it does nothing when demo chains exist.
"""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import XMLSigner

from signhub.core.models import SignedDocument

from .blobs import Blob
from .models import SignatureChain
from .services import NewVersion, save_version

DEMO_THREAD_PREFIX = "demo-"


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "signhub demo"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _cert(subject: str, issuer, issuer_key, key, *, ca: bool, start, end) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer.subject if issuer is not None else _name(subject))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


class _DemoPki:
    def __init__(self) -> None:
        now = dt.datetime.now(dt.UTC)
        year = dt.timedelta(days=365)
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        self.ca = _cert("signhub Demo CA", None, self.ca_key, self.ca_key, ca=True,
                        start=now - year, end=now + 5 * year)  # fmt: skip
        self.people = {}
        for name, start, end in [
            ("Dana Employee", now - year, now + 2 * year),
            ("Hiro HR Manager", now - year, now + 2 * year),
            ("Old Contractor", now - 4 * year, now - 2 * year),  # expired: shows "failed"
        ]:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            cert = _cert(name, self.ca, self.ca_key, key, ca=False, start=start, end=end)
            self.people[name] = (key, cert)

    def cms(self, content: bytes, *names: str, detached: bool = False) -> bytes:
        builder = pkcs7.PKCS7SignatureBuilder().set_data(content).add_certificate(self.ca)
        for name in names:
            key, cert = self.people[name]
            builder = builder.add_signer(cert, key, hashes.SHA256())
        options = [pkcs7.PKCS7Options.Binary]
        if detached:
            options.append(pkcs7.PKCS7Options.DetachedSignature)
        return builder.sign(serialization.Encoding.DER, options)

    def xml(self, body: str, name: str) -> bytes:
        key, cert = self.people[name]
        root = etree.fromstring(f'<Consent xmlns="urn:signhub:demo">{body}</Consent>')
        pem = cert.public_bytes(serialization.Encoding.PEM).decode()
        signed = XMLSigner().sign(root, key=key, cert=[pem])
        return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def _documents(count: int) -> list[str]:
    ids = list(
        SignedDocument.objects.filter(removed_at__isnull=True)
        .order_by("-completed_at", "-id")
        .values_list("external_id", flat=True)[:count]
    )
    return ids + [f"demo-doc-{i}" for i in range(len(ids) + 1, count + 1)]


def seed_chains() -> int:
    """Create the demo chains (if none exist yet); return how many versions were saved."""
    if SignatureChain.objects.filter(thread__startswith=DEMO_THREAD_PREFIX).exists():
        return 0
    pki = _DemoPki()
    first, second, third = _documents(3)
    plans = [
        (first, "demo-onboarding", [
            ("Dana Employee", "cms", b"Employment contract v1", "signed by the employee", ["hr"]),
            ("Hiro HR Manager", "cms2", b"Employment contract v1", "countersigned by HR", ["hr", "final"]),
        ]),
        (second, "demo-consent", [
            ("Dana Employee", "xml", "<Purpose>payroll</Purpose>", "data-processing consent", ["gdpr"]),
            ("Dana Employee", "xml", "<Purpose>payroll and benefits</Purpose>", "consent widened", ["gdpr"]),
        ]),
        (third, "demo-contractor", [
            ("Old Contractor", "cms", b"Contractor NDA", "signed with an expired certificate", ["nda"]),
            ("Hiro HR Manager", "detached", b"Contractor NDA", "detached signature", ["nda"]),
        ]),
    ]  # fmt: skip
    saved = 0
    for document, thread, versions in plans:
        for base, (who, kind, content, comment, tags) in enumerate(versions):
            if kind == "xml":
                blob = Blob(pki.xml(content, who), "xml")
            elif kind == "cms2":
                blob = Blob(pki.cms(content, "Dana Employee", who), "cms")
            else:
                blob = Blob(pki.cms(content, who, detached=kind == "detached"), "cms")
            save_version(
                NewVersion(
                    document=document,
                    thread=thread,
                    base_version=base,
                    blob=blob,
                    version_created_by=who,
                    version_comment=comment,
                    tags=tags,
                )
            )
            saved += 1
    return saved
