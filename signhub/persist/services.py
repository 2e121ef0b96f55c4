"""Saving, reading and deleting versions; the version lock lives here."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from signhub.core.models import AuditEvent

from .blobs import Blob
from .envelope import ApiError
from .models import Signature, SignatureTag


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


def chain(document: str, thread: str) -> QuerySet[Signature]:
    return Signature.objects.filter(document=document, thread=thread)


def latest(document: str, thread: str) -> Signature | None:
    return chain(document, thread).order_by("-version").first()


def conflict(current: int, sent: int) -> ApiError:
    return ApiError(
        409,
        "version_conflict",
        f"version conflict: the current version is {current}, you sent {sent}; "
        f"send version={current} to save on top of it",
        field="version",
        current_version=current,
    )


def save_version(new: NewVersion) -> Signature:
    """Store latest+1 if the client built on the latest, else 409.

    The Python check gives a helpful message; the unique constraint on (document, thread,
    version) is what really decides when two saves race (the loser gets an IntegrityError).
    """
    try:
        with transaction.atomic():
            previous = latest(new.document, new.thread)
            current = previous.version if previous else 0
            if new.base_version != current:
                raise conflict(current, new.base_version)
            sig = Signature.objects.create(
                document=new.document,
                thread=new.thread,
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
            )
            SignatureTag.objects.bulk_create(
                [SignatureTag(signature=sig, tag=tag) for tag in new.tags or []]
            )
    except IntegrityError:
        now = latest(new.document, new.thread)
        raise conflict(now.version if now else 0, new.base_version) from None
    return sig


def delete_chain(
    document: str, thread: str, *, actor=None, actor_label: str, ip: str | None
) -> int:
    """Delete every version and write one audit event that accounts for each blob."""
    with transaction.atomic():
        rows = list(
            chain(document, thread)
            .select_for_update()
            .order_by("version")
            .values_list("id", "version", "blob", "size")
        )
        if not rows:
            raise ApiError(404, "not_found", "no signature for this document and thread")
        blobs = [
            {"id": pk, "version": version, "sha256": hashlib.sha256(bytes(blob)).hexdigest()}
            for pk, version, blob, _size in rows
        ]
        chain(document, thread).delete()
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
                "versions": len(rows),
                "blobs": blobs,
            },
        )
    return len(rows)


def search(
    *,
    document: str | None = None,
    thread: str | None = None,
    stage: str | None = None,
    tags: list[str] | None = None,
) -> QuerySet[Signature]:
    qs = Signature.objects.all()
    if document is not None:
        qs = qs.filter(document=document)
    if thread is not None:
        qs = qs.filter(thread=thread)
    if stage is not None:
        qs = qs.filter(stage=stage)
    for tag in tags or []:
        # One join per tag: every given tag must be present.
        qs = qs.filter(pk__in=SignatureTag.objects.filter(tag=tag).values("signature_id"))
    return qs.order_by("-created_at", "-id")
