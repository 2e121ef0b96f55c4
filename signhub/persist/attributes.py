"""CMS signed attributes as readable values (names in words, times in the viewer's zone)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.utils import timezone

LABELS = {
    "content_type": "Content type",
    "signing_time": "Signing time",
    "message_digest": "Message digest",
    "smime_capabilities": "S/MIME capabilities",
    "signing_certificate": "Signing certificate",
    "signing_certificate_v2": "Signing certificate (v2)",
    "cms_algorithm_protection": "Algorithm protection",
    "signature_time_stamp_token": "Signature timestamp",
    "content_time_stamp": "Content timestamp",
}


def label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " ").capitalize())


def when(value: datetime) -> str:
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname() or ''}".strip()


def plain(value) -> str:
    """Any asn1crypto native value in words: no OrderedDict(...) or b'...' reprs."""
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, Mapping):
        parts = [f"{k.replace('_', ' ')}: {plain(v)}" for k, v in value.items() if v is not None]
        return ", ".join(parts)
    if isinstance(value, list | tuple):
        return "; ".join(plain(v) for v in value)
    return str(value)


def _capabilities(values) -> str:
    names = []
    for capabilities in values:
        for capability in capabilities:
            name = capability["capability_id"].native
            params = capability["parameters"].native if capability["parameters"] else None
            if isinstance(params, int):
                name = f"{name} ({params} bits)"
            names.append(name)
    return ", ".join(names)


def _signing_certificate(values) -> str:
    parts = []
    for value in values:
        for cert_id in value["certs"]:
            native = cert_id.native
            algorithm = (native.get("hash_algorithm") or {}).get("algorithm", "sha1")
            text = f"{algorithm} {native['cert_hash'].hex()}"
            issuer_serial = native.get("issuer_serial")
            if issuer_serial:
                text += f", serial {issuer_serial['serial_number']:X}"
            parts.append(text)
    return "; ".join(parts)


def describe(attr) -> tuple[str, str]:
    """(label, value) of one attribute; never raises."""
    name = attr["type"].native
    values = attr["values"]
    try:
        if name == "smime_capabilities":
            return label(name), _capabilities(values)
        if name in ("signing_certificate", "signing_certificate_v2"):
            return label(name), _signing_certificate(values)
        if name in ("signature_time_stamp_token", "content_time_stamp"):
            return label(name), f"{len(values)} RFC 3161 token(s); see the verification"
        return label(name), plain([v.native for v in values])[:500]
    except (ValueError, TypeError, KeyError, AttributeError):
        return label(name), f"{len(values)} value(s), not decodable"
