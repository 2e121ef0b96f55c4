"""The evidence pack's verdict column: each PDF is verified while it streams into the ZIP.

The bytes already pass through the pack; they are also written to a capped temporary file
and, once complete, validated (or read from the verdict cache by their SHA-256).
"""

from __future__ import annotations

import logging
import tempfile

from django.conf import settings

from . import files

logger = logging.getLogger(__name__)


class PackVerifier:
    """Feed it a file's chunks; `result(sha256)` gives the manifest's verdict words."""

    def __init__(self) -> None:
        self.enabled = bool(getattr(settings, "SIGNHUB_EVIDENCE_VERIFY", True))
        self.spool = None
        self.size = 0
        self.skip = "" if self.enabled else "not verified (SIGNHUB_EVIDENCE_VERIFY is off)"

    def feed(self, chunk: bytes) -> None:
        if self.skip:
            return
        if self.spool is None:
            if not chunk.startswith(b"%PDF-"):
                self.skip = "not a PDF"
                return
            # Closed by result() or close(), which the pack calls in its finally.
            self.spool = tempfile.TemporaryFile(prefix="signhub-pack-")  # noqa: SIM115
        self.size += len(chunk)
        if self.size > files.max_bytes():
            self.skip = f"not verified (larger than {files.max_bytes():,} bytes)"
            self.close()
            return
        self.spool.write(chunk)

    def result(self, sha256: str) -> tuple[str, str]:
        """(verdict, reason) for the manifest; never raises."""
        if self.skip or self.spool is None:
            return "", self.skip or "empty file"
        try:
            self.spool.seek(0)
            row = files.verdict_for(self.spool, sha256, self.size)
            verdict = row.result
            return verdict.indication, verdict.reason
        except Exception as exc:  # a validator bug must not break the archive
            logger.exception("Evidence pack: verification failed")
            return "", f"not verified ({type(exc).__name__})"
        finally:
            self.close()

    def close(self) -> None:
        if self.spool is not None:
            self.spool.close()
            self.spool = None
