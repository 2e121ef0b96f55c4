"""Verdicts of provider files, cached by content hash, and the jobs that compute them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .verdict import INDICATIONS, Verdict


class FileVerdict(models.Model):
    """The verdict of one file's bytes under one trust configuration.

    The same bytes verified under the same anchors give the same answer, so a second request
    (or the evidence pack) reads this row instead of validating again.
    """

    sha256 = models.CharField(max_length=64)
    trust_fingerprint = models.CharField(max_length=64)
    indication = models.CharField(max_length=13, choices=[(i, i) for i in INDICATIONS])
    verdict = models.JSONField()
    size = models.BigIntegerField()
    validated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sha256", "trust_fingerprint"], name="verify_verdict_per_hash"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sha256[:12]}… {self.indication}"

    @property
    def result(self) -> Verdict:
        return Verdict.from_json(self.verdict)


class VerificationJob(models.Model):
    """One "Verify signatures" request for a document's file; the page polls its progress."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        FETCHING = "fetching", "Fetching the file"
        VALIDATING = "validating", "Validating signatures"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    document = models.ForeignKey(
        "core.SignedDocument", on_delete=models.CASCADE, related_name="verification_jobs"
    )
    file_key = models.CharField(max_length=255)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    on_worker = models.BooleanField(default=False)
    bytes_done = models.BigIntegerField(default=0)
    bytes_total = models.BigIntegerField(null=True, blank=True)
    verdict = models.ForeignKey(FileVerdict, null=True, blank=True, on_delete=models.SET_NULL)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["document", "file_key", "-created_at"], name="verify_job_latest")
        ]

    def __str__(self) -> str:
        return f"verify {self.document_id}/{self.file_key} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.FETCHING, self.State.VALIDATING)

    @property
    def percent(self) -> int | None:
        if self.state == self.State.VALIDATING:
            return 100
        if not self.bytes_total:
            return None
        return min(100, int(self.bytes_done * 100 / self.bytes_total))
