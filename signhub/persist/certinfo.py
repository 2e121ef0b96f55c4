"""Plain-words summary of an X.509 certificate (shared by the CMS and XML decoders)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from asn1crypto import x509 as asn1_x509


@dataclass
class CertInfo:
    subject: str
    issuer: str
    serial: str
    not_before: datetime | None
    not_after: datetime | None
    key_type: str
    self_signed: bool

    @property
    def summary(self) -> str:
        return f"{self.subject} (serial {self.serial})"


def describe(cert: asn1_x509.Certificate) -> CertInfo:
    validity = cert["tbs_certificate"]["validity"]
    key = cert.public_key
    algorithm = key.algorithm
    try:
        if algorithm == "ec":
            key_type = f"EC {key.curve[1]}"
        elif algorithm in ("rsa", "dsa"):
            key_type = f"{algorithm.upper()} {key.bit_size} bits"
        else:
            key_type = algorithm.upper() if algorithm else "unknown"
    except (ValueError, TypeError, KeyError):
        key_type = str(algorithm)
    return CertInfo(
        subject=cert.subject.human_friendly,
        issuer=cert.issuer.human_friendly,
        serial=format(cert.serial_number, "X"),
        not_before=validity["not_before"].native,
        not_after=validity["not_after"].native,
        key_type=key_type,
        self_signed=cert.self_signed != "no",
    )
