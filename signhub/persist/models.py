"""Persisted signatures (one row per version) and the API tokens that may read or write them."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "shp_"


def hash_token(raw: str) -> str:
    """Tokens are 256-bit random strings, so a plain SHA-256 is enough (no need for a slow KDF)."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A bearer token for the Persist API; only its hash is stored, the value is shown once."""

    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # First characters of the token, so an admin can tell tokens apart without the secret.
    prefix = models.CharField(max_length=12, editable=False)
    can_write = models.BooleanField(
        default=False, help_text="Read-write tokens may save and delete; others may only read."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def issue(cls, name: str, can_write: bool = False, created_by=None) -> tuple[ApiToken, str]:
        """Create a token and return it with its raw value (the only time the value exists)."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            name=name,
            can_write=can_write,
            created_by=created_by,
            token_hash=hash_token(raw),
            prefix=raw[:10],
        )
        return token, raw

    def assign_new_value(self) -> str:
        """Give an unsaved token (e.g. from the admin form) a fresh value; returns it once."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.token_hash = hash_token(raw)
        self.prefix = raw[:10]
        return raw


class Signature(models.Model):
    """One version of the signature of a (document, thread); a new save adds a row."""

    class Kind(models.TextChoices):
        CMS = "cms", "CMS / PKCS#7"
        XML = "xml", "XML signature"

    document = models.CharField(max_length=255)
    thread = models.CharField(max_length=255)
    version = models.PositiveIntegerField()
    blob = models.BinaryField()
    kind = models.CharField(max_length=3, choices=Kind.choices)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    # NULL means "not sent" (the API answers null), distinct from an empty string.
    version_created_by = models.TextField(blank=True, null=True)  # noqa: DJ001
    version_comment = models.TextField(blank=True, null=True)  # noqa: DJ001
    tags = models.JSONField(default=list, blank=True)
    stage = models.TextField(blank=True, null=True)  # noqa: DJ001
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    # Rows are immutable once saved (a new version is a new row), so created_at is also the
    # version's creation time and updated_at only moves if an administrator edits a row.
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["document", "thread", "-version"]
        constraints = [
            # The optimistic lock: two saves building on the same version cannot both win.
            models.UniqueConstraint(
                fields=["document", "thread", "version"], name="persist_signature_version_unique"
            ),
        ]
        indexes = [
            # GET /signatures and the viewer list: newest first.
            models.Index(fields=["-created_at", "-id"], name="persist_sig_newest_idx"),
            models.Index(fields=["thread"], name="persist_sig_thread_idx"),
            models.Index(fields=["stage"], name="persist_sig_stage_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.document} / {self.thread} v{self.version}"

    @property
    def extension(self) -> str:
        return ".xml" if self.kind == self.Kind.XML else ".p7s"

    @property
    def content_type(self) -> str:
        return "application/xml" if self.kind == self.Kind.XML else "application/pkcs7-signature"


class SignatureTag(models.Model):
    """One tag of one version: lets "all these tags" filters run on SQLite and PostgreSQL alike."""

    signature = models.ForeignKey(Signature, on_delete=models.CASCADE, related_name="tag_rows")
    tag = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["signature", "tag"], name="persist_tag_unique"),
        ]
        indexes = [models.Index(fields=["tag", "signature"], name="persist_tag_idx")]

    def __str__(self) -> str:
        return self.tag
