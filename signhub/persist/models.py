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


class SignatureChainQuerySet(models.QuerySet):
    def active(self) -> SignatureChainQuerySet:
        return self.filter(deleted_at__isnull=True)

    def in_trash(self) -> SignatureChainQuerySet:
        return self.filter(deleted_at__isnull=False)


class SignatureChain(models.Model):
    """All versions of the signature of one (document, thread).

    `created_at` is the first save, `updated_at` the last one. DELETE moves the chain to the
    trash (`deleted_at`): the API then answers 404 as if it were gone, an administrator can
    restore it, and `prune` removes it for good after SIGNHUB_PERSIST_TRASH_DAYS.
    """

    document = models.CharField(max_length=255)
    thread = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.CharField(max_length=150, blank=True)

    objects = SignatureChainQuerySet.as_manager()

    class Meta:
        constraints = [
            # One live chain per (document, thread); trashed ones may pile up beside it.
            models.UniqueConstraint(
                fields=["document", "thread"],
                condition=models.Q(deleted_at__isnull=True),
                name="persist_chain_live_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["thread"], name="persist_chain_thread_idx"),
            models.Index(fields=["deleted_at"], name="persist_chain_deleted_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.document} / {self.thread}"

    @property
    def in_trash(self) -> bool:
        return self.deleted_at is not None


class Signature(models.Model):
    """One version of a chain; a new save adds a row, rows are never changed."""

    class Kind(models.TextChoices):
        CMS = "cms", "CMS / PKCS#7"
        XML = "xml", "XML signature"
        OPAQUE = "raw", "Opaque blob (not read)"

    chain = models.ForeignKey(SignatureChain, on_delete=models.CASCADE, related_name="versions")
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
    created_at = models.DateTimeField(default=timezone.now)  # this version's save

    class Meta:
        ordering = ["chain", "-version"]
        constraints = [
            # The optimistic lock: two saves building on the same version cannot both win.
            models.UniqueConstraint(
                fields=["chain", "version"], name="persist_signature_version_unique"
            ),
        ]
        indexes = [
            # GET /signatures and the viewer list: newest first.
            models.Index(fields=["-created_at", "-id"], name="persist_sig_newest_idx"),
            models.Index(fields=["stage"], name="persist_sig_stage_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.chain} v{self.version}"

    @property
    def document(self) -> str:
        return self.chain.document

    @property
    def thread(self) -> str:
        return self.chain.thread

    @property
    def extension(self) -> str:
        return {self.Kind.XML: ".xml", self.Kind.OPAQUE: ".bin"}.get(self.kind, ".p7s")

    @property
    def content_type(self) -> str:
        return {
            self.Kind.XML: "application/xml",
            self.Kind.OPAQUE: "application/octet-stream",
        }.get(self.kind, "application/pkcs7-signature")


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
