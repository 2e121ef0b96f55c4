"""Revocation comes from what the signature carries (CRL or OCSP), from SIGNHUB_TRUST_CRLS, or
(only when enabled) from the network; unknown revocation is indeterminate, never passed.
OCSP answers count for certificates that name a responder (AIA), as pyhanko-certvalidator
requires; the OCSP signers of tests/persist/pki.py do."""

from __future__ import annotations

import datetime as dt

from asn1crypto import cms as asn1_cms
from asn1crypto import ocsp as asn1_ocsp
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from signhub.verify import cms, trust
from signhub.verify.verdict import FAILED, INDETERMINATE, PASSED
from tests.persist import pki


def ocsp_response(common_name: str, revoked: bool) -> bytes:
    """A CA-signed OCSP response for one signer certificate, made by `cryptography`."""
    ca_key, ca_cert = pki.ca()
    cert = pki.signer(common_name)[1]
    now = pki.NOW
    builder = ocsp.OCSPResponseBuilder().add_response(
        cert=cert,
        issuer=ca_cert,
        algorithm=hashes.SHA256(),
        cert_status=ocsp.OCSPCertStatus.REVOKED if revoked else ocsp.OCSPCertStatus.GOOD,
        this_update=now - dt.timedelta(hours=1),
        next_update=now + dt.timedelta(days=1),
        revocation_time=now - dt.timedelta(days=3) if revoked else None,
        revocation_reason=None,
    )
    builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, ca_cert)
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def with_ocsp(der_cms: bytes, response: bytes) -> bytes:
    info = asn1_cms.ContentInfo.load(der_cms)
    signed = info["content"]
    signed["crls"] = asn1_cms.RevocationInfoChoices(
        [
            asn1_cms.RevocationInfoChoice(
                {
                    "other": {
                        "other_rev_info_format": "ocsp_response",
                        "other_rev_info": asn1_ocsp.OCSPResponse.load(response),
                    }
                }
            )
        ]
    )
    return info.dump()


def store(tmp_path, crls: bool = False) -> trust.TrustStore:
    anchors = pki.write_trust_bundle(tmp_path / "anchors.pem")
    crl_path = ""
    if crls:
        crl_path = str(tmp_path / "crl.der")
        (tmp_path / "crl.der").write_bytes(pki.crl_der())
    return trust._read(str(anchors), crl_path)


def test_an_embedded_good_ocsp_response_lets_it_pass(tmp_path):
    data = pki.make_cms(signer_name="Otto Signer", with_crl=False)
    data = with_ocsp(data, ocsp_response("Otto Signer", False))
    verdict = cms.verify(data, store=store(tmp_path))
    assert verdict.indication == PASSED, verdict.reason


def test_an_embedded_revoked_ocsp_response_fails_it(tmp_path):
    data = pki.make_cms(signer_name="Olga Signer", with_crl=False)
    data = with_ocsp(data, ocsp_response("Olga Signer", True))
    verdict = cms.verify(data, store=store(tmp_path))
    assert (verdict.indication, verdict.sub_indication) == (FAILED, "REVOKED")


def test_without_revocation_data_it_is_indeterminate_not_passed(tmp_path):
    verdict = cms.verify(pki.make_cms(with_crl=False), store=store(tmp_path))
    assert (verdict.indication, verdict.sub_indication) == (INDETERMINATE, "TRY_LATER")
    assert "online checking is off" in verdict.reason


def test_offline_crls_from_the_setting_count_like_embedded_ones(tmp_path):
    verdict = cms.verify(pki.make_cms(with_crl=False), store=store(tmp_path, crls=True))
    assert verdict.indication == PASSED


def test_an_unreadable_anchor_bundle_is_said_and_nothing_passes(tmp_path, settings):
    (tmp_path / "bad.pem").write_text("not a certificate")
    settings.SIGNHUB_TRUST_ROOTS = str(tmp_path / "bad.pem")
    verdict = cms.verify(pki.make_cms())
    assert verdict.indication == INDETERMINATE and "is not a PEM bundle" in verdict.reason
    settings.SIGNHUB_TRUST_ROOTS = str(tmp_path / "missing.pem")
    assert "cannot be read" in cms.verify(pki.make_cms()).reason


def test_changing_the_anchors_changes_the_fingerprint(tmp_path):
    one = store(tmp_path)
    other = trust._read(str(pki.write_trust_bundle(tmp_path / "b.pem", "Untrusted Test CA")))
    assert one.fingerprint != other.fingerprint != trust.TrustStore(()).fingerprint
