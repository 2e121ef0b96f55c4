"""Trust anchors (SIGNHUB_TRUST_ROOTS) and the one chain check every format goes through.

Chains are built and validated by pyhanko-certvalidator. Revocation information must be known
for every certificate below the anchor: embedded CRLs/OCSP responses are used, online
fetching happens only with SIGNHUB_VERIFY_FETCH_REVOCATION (off by default). No anchor
configured means "indeterminate: no trust anchor" — the operating system's TLS roots are
never used (they say nothing about who may sign HR documents). SIGNHUB_TRUST_CRLS may name a
file of CRLs (PEM or DER) kept up to date offline; they count like embedded ones.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509 as pyca_x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator import errors as cv_errors
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy

from . import aio
from .verdict import (
    CHAIN,
    FAILED,
    INDETERMINATE,
    NOT_APPLICABLE,
    PASSED,
    REVOCATION,
    VALIDITY,
    Check,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrustStore:
    anchors: tuple[asn1_x509.Certificate, ...]
    source: str = ""
    problem: str = ""  # why the configured bundle could not be used
    crls: tuple[bytes, ...] = ()  # from SIGNHUB_TRUST_CRLS (offline revocation data)

    @property
    def fingerprint(self) -> str:
        """Changes whenever the anchors or the revocation policy change (cache key part)."""
        digest = hashlib.sha256(b"fetch=%d;" % fetch_revocation())
        for der in sorted(a.dump() for a in self.anchors):
            digest.update(hashlib.sha256(der).digest())
        for der in sorted(self.crls):
            digest.update(b"crl" + hashlib.sha256(der).digest())
        return digest.hexdigest()

    @property
    def words(self) -> str:
        if self.problem:
            return self.problem
        if not self.anchors:
            return "no trust anchor is configured (SIGNHUB_TRUST_ROOTS)"
        names = ", ".join(a.subject.human_friendly for a in self.anchors[:3])
        more = f" and {len(self.anchors) - 3} more" if len(self.anchors) > 3 else ""
        return f"{len(self.anchors)} trust anchor(s) from {self.source}: {names}{more}"


_cache: dict[tuple, TrustStore] = {}


def fetch_revocation() -> bool:
    return bool(getattr(settings, "SIGNHUB_VERIFY_FETCH_REVOCATION", False))


def _stamp(path: str) -> tuple:
    try:
        stat = Path(path).stat()
    except OSError:
        return (path, None, None)
    return (path, stat.st_mtime_ns, stat.st_size)


def load() -> TrustStore:
    """The configured anchors (and offline CRLs), re-read when a file changes."""
    path = str(getattr(settings, "SIGNHUB_TRUST_ROOTS", "") or "").strip()
    crl_path = str(getattr(settings, "SIGNHUB_TRUST_CRLS", "") or "").strip()
    if not path:
        return TrustStore(())
    key = (_stamp(path), _stamp(crl_path) if crl_path else None)
    store = _cache.get(key)
    if store is None:
        store = _cache[key] = _read(path, crl_path)
    return store


def _read(path: str, crl_path: str = "") -> TrustStore:
    try:
        certs = pyca_x509.load_pem_x509_certificates(Path(path).read_bytes())
    except OSError as exc:
        return TrustStore((), path, f"the trust anchor bundle {path} cannot be read ({exc})")
    except ValueError as exc:
        return TrustStore((), path, f"the trust anchor bundle {path} is not a PEM bundle ({exc})")
    anchors = tuple(
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in certs
    )
    crls: tuple[bytes, ...] = ()
    if crl_path:
        try:
            crls = tuple(_read_crls(Path(crl_path).read_bytes()))
        except (OSError, ValueError) as exc:
            logger.warning("SIGNHUB_TRUST_CRLS %s is not usable: %s", crl_path, exc)
    return TrustStore(anchors, path, crls=crls)


def _read_crls(data: bytes) -> list[bytes]:
    """DER CRLs from a PEM bundle (one or more X509 CRL blocks) or a single DER file."""
    if b"-----BEGIN" not in data:
        return [pyca_x509.load_der_x509_crl(data).public_bytes(serialization.Encoding.DER)]
    found = []
    for block in data.split(b"-----END X509 CRL-----")[:-1]:
        text = block[block.index(b"-----BEGIN X509 CRL-----") :] + b"-----END X509 CRL-----\n"
        found.append(pyca_x509.load_pem_x509_crl(text).public_bytes(serialization.Encoding.DER))
    return found


def validation_context(
    store: TrustStore,
    *,
    other_certs=(),
    crls=(),
    ocsps=(),
    moment: datetime | None = None,
) -> ValidationContext:
    """A context that trusts exactly the configured anchors (never the OS list)."""
    return ValidationContext(
        trust_roots=list(store.anchors),
        other_certs=list(other_certs),
        crls=[*crls, *store.crls],
        ocsps=list(ocsps),
        moment=moment,
        allow_fetching=fetch_revocation(),
        revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
    )


def validity_check(cert: asn1_x509.Certificate, signing_time: datetime, source: str) -> Check:
    """Was the certificate inside its validity period at the signing time?"""
    validity = cert["tbs_certificate"]["validity"]
    not_before, not_after = validity["not_before"].native, validity["not_after"].native
    when = f"{signing_time:%Y-%m-%d %H:%M:%S} UTC ({source})"
    if signing_time < not_before:
        return Check(
            VALIDITY,
            FAILED,
            f"the certificate was not yet valid at {when}; valid from {not_before:%Y-%m-%d}",
            "NOT_YET_VALID",
        )
    if signing_time > not_after:
        return Check(
            VALIDITY,
            FAILED,
            f"the certificate had expired at {when}; it expired on {not_after:%Y-%m-%d}",
            "EXPIRED",
        )
    return Check(
        VALIDITY,
        PASSED,
        f"valid at {when} (from {not_before:%Y-%m-%d} to {not_after:%Y-%m-%d})",
    )


def chain_checks(
    cert: asn1_x509.Certificate,
    store: TrustStore,
    *,
    signing_time: datetime,
    proven: bool,
    other_certs=(),
    crls=(),
    ocsps=(),
) -> list[Check]:
    """The chain and revocation checks for a signer certificate.

    The path is validated at the proven signing time (a verified timestamp), else now.
    """
    if not store.anchors:
        return [
            Check(CHAIN, INDETERMINATE, store.words, "NO_CERTIFICATE_CHAIN_FOUND"),
            Check(REVOCATION, INDETERMINATE, "not checked without a chain", "TRY_LATER"),
        ]
    context = validation_context(
        store,
        other_certs=other_certs,
        crls=crls,
        ocsps=ocsps,
        moment=signing_time if proven else None,
    )
    validator = CertificateValidator(cert, list(other_certs), validation_context=context)
    try:
        path = aio.run(validator.async_validate_path())
    except cv_errors.RevokedError as exc:
        revoked_at = exc.revocation_dt
        reason = getattr(exc.reason, "human_friendly", "") or "no reason given"
        if revoked_at is not None and revoked_at <= signing_time:
            return [
                _chain_passed(exc.original_path),
                Check(
                    REVOCATION,
                    FAILED,
                    f"revoked on {revoked_at:%Y-%m-%d %H:%M:%S} UTC ({reason}), "
                    "before the signing time",
                    "REVOKED",
                ),
            ]
        sub = "REVOKED_NO_POE" if exc.is_ee_cert else "REVOKED_CA_NO_POE"
        return [
            _chain_passed(exc.original_path),
            Check(REVOCATION, INDETERMINATE, exc.failure_msg, sub),
        ]
    except cv_errors.InsufficientRevinfoError as exc:
        how = "online checking is on" if fetch_revocation() else "online checking is off"
        return [
            _chain_passed(exc.original_path),
            Check(
                REVOCATION,
                INDETERMINATE,
                f"no usable revocation information ({how}): {exc.failure_msg}",
                "TRY_LATER",
            ),
        ]
    except cv_errors.ExpiredError as exc:
        sub = "OUT_OF_BOUNDS_NO_POE" if exc.is_ee_cert else "CERTIFICATE_CHAIN_GENERAL_FAILURE"
        return [Check(CHAIN, INDETERMINATE, exc.failure_msg, sub), _revocation_unchecked()]
    except cv_errors.NotYetValidError as exc:
        return [
            Check(CHAIN, INDETERMINATE, exc.failure_msg, "CERTIFICATE_CHAIN_GENERAL_FAILURE"),
            _revocation_unchecked(),
        ]
    except cv_errors.DisallowedAlgorithmError as exc:
        return [
            Check(CHAIN, INDETERMINATE, exc.failure_msg, "CRYPTO_CONSTRAINTS_FAILURE"),
            _revocation_unchecked(),
        ]
    except cv_errors.InvalidCertificateError as exc:
        return [
            Check(CHAIN, INDETERMINATE, _no_chain(exc), "NO_CERTIFICATE_CHAIN_FOUND"),
            _revocation_unchecked(),
        ]
    except cv_errors.PathBuildingError as exc:
        return [
            Check(CHAIN, INDETERMINATE, _no_chain(exc), "NO_CERTIFICATE_CHAIN_FOUND"),
            _revocation_unchecked(),
        ]
    except (cv_errors.ValidationError, ValueError) as exc:
        message = getattr(exc, "failure_msg", "") or str(exc)
        return [
            Check(CHAIN, INDETERMINATE, message, "CERTIFICATE_CHAIN_GENERAL_FAILURE"),
            _revocation_unchecked(),
        ]
    checks = [_chain_passed(path)]
    if path.pkix_len == 0:
        checks.append(
            Check(REVOCATION, NOT_APPLICABLE, "the signer certificate is itself a trust anchor")
        )
    else:
        checks.append(Check(REVOCATION, PASSED, "no certificate in the chain is revoked"))
    return checks


def missing_certificate_checks() -> list[Check]:
    """Chain, validity and revocation when the signer's certificate is not included."""
    why = "the signer's certificate is not included"
    return [
        Check(name, INDETERMINATE, why, "NO_SIGNING_CERTIFICATE_FOUND")
        for name in (CHAIN, VALIDITY, REVOCATION)
    ]


def _no_chain(exc: Exception) -> str:
    return (
        "no chain from the signer's certificate to a configured trust anchor "
        f"({getattr(exc, 'failure_msg', '') or exc})"
    )


def _chain_passed(path) -> Check:
    if path is None:
        return Check(CHAIN, PASSED, "leads to a configured trust anchor")
    names = [short_name(c.subject) for c in path.iter_certs(include_root=False)]
    names.reverse()  # the signer first, then its issuers
    names.append(f"{short_name(path.trust_anchor.authority.name)} (trust anchor)")
    return Check(CHAIN, PASSED, " → ".join(names))


def short_name(name) -> str:
    """The common name when there is one (what people recognise), else the whole name."""
    try:
        common = name.native.get("common_name")
    except (AttributeError, ValueError, TypeError):
        common = None
    if isinstance(common, list):
        common = ", ".join(common)
    return common or name.human_friendly


def _revocation_unchecked() -> Check:
    return Check(REVOCATION, INDETERMINATE, "not checked: the chain did not validate", "TRY_LATER")
