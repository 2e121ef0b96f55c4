"""Fetching a provider file for verification: the download path, to a capped temporary file.

The bytes come through the connector's `open_file` (like a download), are written to a
temporary file while their SHA-256 is computed, and the fetch is audited. The verdict is then
read from the cache (same bytes, same trust anchors) or computed with pyHanko.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from signhub.core import audit
from signhub.core.errors import ConnectorError
from signhub.downloads.streaming import PrimedStream, open_primed

from . import pdf, trust
from .models import FileVerdict, VerificationJob

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 1024 * 1024


class Handoff(Exception):
    """The file turned out larger than the inline limit: the worker takes the job over."""


def max_bytes() -> int:
    return int(getattr(settings, "SIGNHUB_VERIFY_MAX_BYTES", 100 * 1024 * 1024))


def inline_bytes() -> int:
    return int(getattr(settings, "SIGNHUB_VERIFY_INLINE_BYTES", 5 * 1024 * 1024))


def _fail(job: VerificationJob, message: str) -> VerificationJob:
    job.state, job.error, job.finished_at = job.State.FAILED, message[:500], timezone.now()
    job.save(update_fields=["state", "error", "finished_at"])
    return job


def _audit(job: VerificationJob, who, result: str, sent: int, **details) -> None:
    document = job.document
    audit.record(
        who,
        "verify",
        f"document:{document.pk}",
        result=result,
        bytes=sent,
        file_key=job.file_key,
        provider=document.provider,
        account=document.account.name,
        external_id=document.external_id,
        job=job.pk,
        **details,
    )


def open_file(job: VerificationJob, who) -> PrimedStream | None:
    """Open the provider file; a failure ends the job with the provider's words."""
    document = job.document
    try:
        return open_primed(document.account.connector(), document, job.file_key)
    except ConnectorError as exc:
        _audit(job, who, "error", 0, error=exc.code)
        _fail(job, f"The provider could not deliver the file: {exc.message}")
        return None


def run(
    job: VerificationJob, who, *, primed: PrimedStream | None = None, handoff_after=None
) -> VerificationJob:
    """Fetch, hash, and validate (or read the cached verdict). Never raises, except Handoff:
    an unexpected error ends the job as failed (and is logged) instead of leaving it running."""
    try:
        return _run(job, who, primed=primed, handoff_after=handoff_after)
    except Handoff:
        raise
    except Exception as exc:
        logger.exception("Verification job %s stopped", job.pk)
        return _fail(job, f"Verification stopped on an unexpected error ({type(exc).__name__}).")


def _run(job: VerificationJob, who, *, primed, handoff_after) -> VerificationJob:
    primed = primed or open_file(job, who)
    if primed is None:
        return job
    job.state, job.bytes_total = job.State.FETCHING, primed.stream.size
    job.save(update_fields=["state", "bytes_total"])
    limit = max_bytes()
    digest, size, reported = hashlib.sha256(), 0, 0
    with tempfile.TemporaryFile(prefix="signhub-verify-") as spool:
        try:
            for chunk in primed.chunks():
                size += len(chunk)
                if size > limit:
                    _audit(job, who, "refused", size, error="too_large")
                    return _fail(job, f"The file is larger than the {limit:,}-byte limit.")
                if handoff_after is not None and size > handoff_after:
                    raise Handoff
                digest.update(chunk)
                spool.write(chunk)
                if size - reported >= PROGRESS_EVERY:
                    reported = job.bytes_done = size
                    job.save(update_fields=["bytes_done"])
        except ConnectorError as exc:
            _audit(job, who, "aborted", size, error=exc.code)
            return _fail(job, f"The transfer broke: {exc.message}")
        finally:
            primed.stream.close()
        sha256 = digest.hexdigest()
        _audit(job, who, "ok", size, sha256=sha256)
        job.state, job.bytes_done = job.State.VALIDATING, size
        job.save(update_fields=["state", "bytes_done"])
        spool.seek(0)
        job.verdict = verdict_for(spool, sha256, size)
    job.state, job.finished_at = job.State.DONE, timezone.now()
    job.save(update_fields=["state", "verdict", "finished_at"])
    return job


def verdict_for(fileobj, sha256: str, size: int) -> FileVerdict:
    """The cached verdict for these bytes under the current anchors, else a fresh one."""
    store = trust.load()
    fingerprint = store.fingerprint
    cached = FileVerdict.objects.filter(sha256=sha256, trust_fingerprint=fingerprint).first()
    if cached is not None:
        return cached
    verdict = pdf.verify_file(fileobj, store=store)
    with transaction.atomic():
        row, _ = FileVerdict.objects.update_or_create(
            sha256=sha256,
            trust_fingerprint=fingerprint,
            defaults={
                "indication": verdict.indication,
                "verdict": verdict.to_json(),
                "size": size,
                "validated_at": timezone.now(),
            },
        )
    return row
