"""Saving, reading, trashing and restoring versions; the version lock lives here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from signhub.core.models import AuditEvent

from .blobs import Blob
from .envelope import ApiError
from .models import Signature, SignatureChain, SignatureTag


@dataclass
class NewVersion:
    document: str
    thread: str
    base_version: int  # the version the client builds on: 0 for the first save
    blob: Blob
    version_created_by: str | None = None
    version_comment: str | None = None
    tags: list[str] | None = None
    stage: str | None = None


def live_versions() -> QuerySet[Signature]:
    """Every version of every chain that is not in the trash."""
    return Signature.objects.filter(chain__deleted_at__isnull=True).select_related("chain")


def chain(document: str, thread: str, versions: QuerySet[Signature] | None = None):
    base = live_versions() if versions is None else versions
    return base.filter(chain__document=document, chain__thread=thread)


def latest(document: str, thread: str, versions: QuerySet[Signature] | None = None):
    return chain(document, thread, versions).order_by("-version").first()


def conflict(current: int, sent: int) -> ApiError:
    return ApiError(
        409,
        "version_conflict",
        f"version conflict: the current version is {current}, you sent {sent}; "
        f"send version={current} to save on top of it",
        field="version",
        current_version=current,
    )


def _live_chain(document: str, thread: str, now) -> SignatureChain:
    found = SignatureChain.objects.active().filter(document=document, thread=thread).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return SignatureChain.objects.create(
                document=document, thread=thread, created_at=now, updated_at=now
            )
    except IntegrityError:  # another first save created it a moment ago
        return SignatureChain.objects.active().get(document=document, thread=thread)


def save_version(new: NewVersion) -> Signature:
    """Store latest+1 if the client built on the latest, else 409.

    The Python check gives a helpful message; the unique constraint on (chain, version) is
    what really decides when two saves race (the loser gets an IntegrityError). The chain's
    `updated_at` is written after the insert, so a racing save waits there, not before.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            previous = latest(new.document, new.thread)
            current = previous.version if previous else 0
            if new.base_version != current:
                raise conflict(current, new.base_version)
            owner = previous.chain if previous else _live_chain(new.document, new.thread, now)
            sig = Signature.objects.create(
                chain=owner,
                version=current + 1,
                blob=new.blob.data,
                kind=new.blob.kind,
                sha256=new.blob.sha256,
                size=len(new.blob.data),
                version_created_by=new.version_created_by,
                version_comment=new.version_comment,
                tags=new.tags or [],
                stage=new.stage,
                parent=previous,
                created_at=now,
            )
            SignatureChain.objects.filter(pk=owner.pk).update(updated_at=now)
            owner.updated_at = now
            SignatureTag.objects.bulk_create(
                [SignatureTag(signature=sig, tag=tag) for tag in new.tags or []]
            )
    except IntegrityError:
        now_latest = latest(new.document, new.thread)
        raise conflict(now_latest.version if now_latest else 0, new.base_version) from None
    return sig


def trash_chain(document: str, thread: str, *, actor=None, actor_label: str, ip) -> int:
    """Move a chain to the trash (the API then answers 404) and audit every blob's hash."""
    with transaction.atomic():
        found = (
            SignatureChain.objects.active()
            .select_for_update()
            .filter(document=document, thread=thread)
            .first()
        )
        if found is None:
            raise ApiError(404, "not_found", "no signature for this document and thread")
        rows = list(
            found.versions.order_by("version").values_list("id", "version", "sha256", "size")
        )
        found.deleted_at = timezone.now()
        found.deleted_by = actor_label[:150]
        found.save(update_fields=["deleted_at", "deleted_by"])
        AuditEvent.objects.create(
            actor=actor,
            actor_label=actor_label[:150],
            action="signature.delete",
            target=f"{document} / {thread}"[:500],
            ip=ip,
            bytes=sum(size for *_rest, size in rows),
            details={
                "document": document,
                "thread": thread,
                "chain": found.pk,
                "versions": len(rows),
                "blobs": [{"id": pk, "version": v, "sha256": sha} for pk, v, sha, _ in rows],
                "trash_days": trash_days(),
            },
        )
    return len(rows)


class RestoreConflict(Exception):
    """A newer live chain uses the same (document, thread)."""


def restore_chain(found: SignatureChain, *, actor=None) -> None:
    if not found.in_trash:
        return
    if (
        SignatureChain.objects.active()
        .filter(document=found.document, thread=found.thread)
        .exists()
    ):
        raise RestoreConflict(str(found))
    try:
        with transaction.atomic():
            found.deleted_at, found.deleted_by = None, ""
            found.save(update_fields=["deleted_at", "deleted_by"])
            AuditEvent.objects.create(
                actor=actor,
                actor_label=actor.get_username()[:150] if actor else "system",
                action="signature.restore",
                target=str(found)[:500],
                details={"chain": found.pk, "document": found.document, "thread": found.thread},
            )
    except IntegrityError:
        raise RestoreConflict(str(found)) from None


def trash_days() -> int:
    return int(getattr(settings, "SIGNHUB_PERSIST_TRASH_DAYS", 30))


def purge_trash(days: int | None = None, *, dry_run: bool = False) -> int:
    """Delete chains that have been in the trash longer than `days`; return how many."""
    cutoff = timezone.now() - timedelta(days=trash_days() if days is None else days)
    old = SignatureChain.objects.filter(deleted_at__lt=cutoff)
    if dry_run:
        return old.count()
    count = old.count()
    old.delete()
    return count


def search(
    versions: QuerySet[Signature],
    *,
    document: str | None = None,
    thread: str | None = None,
    stage: str | None = None,
    tags: list[str] | None = None,
) -> QuerySet[Signature]:
    qs = versions
    if document is not None:
        qs = qs.filter(chain__document=document)
    if thread is not None:
        qs = qs.filter(chain__thread=thread)
    if stage is not None:
        qs = qs.filter(stage=stage)
    for tag in tags or []:
        # One join per tag: every given tag must be present.
        qs = qs.filter(pk__in=SignatureTag.objects.filter(tag=tag).values("signature_id"))
    return qs.order_by("-created_at", "-id")
