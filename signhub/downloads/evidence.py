"""The evidence pack: one ZIP, built while it is sent (constant memory).

Layout: one folder per document with its files, and `manifest.csv` last (it lists the
SHA-256 of each file, computed while the file streams through). A file the provider cannot
deliver is listed in the manifest with the reason; it never aborts the archive. A file that
breaks mid-way stays in the archive truncated and is marked `incomplete` in the manifest
(a ZIP entry cannot be taken back once its bytes are sent).
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import stat
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils import timezone
from stream_zip import ZIP_64, stream_zip

from signhub.core.connector import Connector
from signhub.core.errors import ConnectorError
from signhub.core.models import SignedDocument
from signhub.core.spreadsheet import safe_row
from signhub.verify.pack import PackVerifier

from .content_types import served_type
from .filenames import clean_part, file_extension, safe_filename, split_ext
from .streaming import open_primed

logger = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = [
    "provider",
    "account",
    "external_id",
    "title",
    "status",
    "signers",
    "created_at",
    "sent_at",
    "completed_at",
    "file_key",
    "file_kind",
    "file_name",
    "bytes",
    "sha256",
    "result",
    "error",
    "signature_verdict",
    "signature_reason",
]
_MODE = stat.S_IFREG | 0o644
_FOLDER_BYTES = 100


def _compressobj():
    # Signed PDFs are already compressed: a middle level keeps the CPU cost low.
    return zlib.compressobj(wbits=-zlib.MAX_WBITS, level=6)


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _signers(document: SignedDocument) -> list[str]:
    people = []
    for signer in document.signers or []:
        name, email = signer.get("name") or "", signer.get("email") or ""
        who = f"{name} <{email}>" if name and email else name or email
        status = signer.get("status") or ""
        people.append(f"{who} ({status})" if status else who)
    return people  # joined by safe_cell, each person guarded


@dataclass
class PackStats:
    documents: int = 0
    files_ok: int = 0
    files_failed: int = 0
    bytes: int = 0
    document_ids: list[int] = field(default_factory=list)
    finished: bool = False


@dataclass
class _Row:
    document: SignedDocument
    file_key: str = ""
    file_kind: str = ""
    file_name: str = ""
    bytes: int = 0
    sha256: str = ""
    result: str = "ok"
    error: str = ""
    verdict: tuple[str, str] = ("", "")

    def values(self) -> list[str]:
        doc = self.document
        return safe_row(
            (
                doc.provider,
                doc.account.name,
                doc.external_id,
                doc.title,
                doc.status,
                _signers(doc),
                _iso(doc.created_at),
                _iso(doc.sent_at),
                _iso(doc.completed_at),
                self.file_key,
                self.file_kind,
                self.file_name,
                self.bytes if self.result != "failed" else "",
                self.sha256,
                self.result,
                self.error,
                *self.verdict,
            )
        )


class _Names:
    """Unique names within one scope (the archive root, or one folder)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def unique(self, name: str) -> str:
        stem, ext = split_ext(name)
        candidate, n = name, 1
        while candidate.lower() in self.seen:
            n += 1
            candidate = f"{stem} ({n}){ext}"
        self.seen.add(candidate.lower())
        return candidate


def _folder_name(document: SignedDocument) -> str:
    when = document.completed_at or document.created_at
    date = when.date().isoformat() if when else "undated"
    title = clean_part(document.title) or clean_part(document.external_id)
    name = clean_part(f"{date} {title}")
    name = name.encode("utf-8")[:_FOLDER_BYTES].decode("utf-8", errors="ignore").rstrip(" .")
    # The id keeps folders unique and lets a reader find the document in signhub.
    return f"{name} [{document.pk}]"


class EvidencePack:
    """Iterate it to get the ZIP's bytes; `stats` is filled in as it goes."""

    def __init__(
        self,
        documents: Iterable[SignedDocument],
        *,
        on_finish: Callable[[PackStats], None] | None = None,
        chunk_size: int = 64 * 1024,
    ) -> None:
        self.documents = documents
        self.on_finish = on_finish
        self.chunk_size = chunk_size
        self.stats = PackStats()
        self.rows: list[_Row] = []
        self._connectors: dict[int, Connector] = {}

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from stream_zip(
                self._members(), chunk_size=self.chunk_size, get_compressobj=_compressobj
            )
            self.stats.finished = True
        finally:
            for connector in self._connectors.values():
                close = getattr(connector.http, "close", None)
                if close:
                    close()
            if self.on_finish is not None:
                self.on_finish(self.stats)

    def _connector(self, document: SignedDocument) -> Connector:
        connector = self._connectors.get(document.account_id)
        if connector is None:
            connector = self._connectors[document.account_id] = document.account.connector()
        return connector

    def _members(self):
        folders = _Names()
        for document in self.documents:
            self.stats.documents += 1
            self.stats.document_ids.append(document.pk)
            folder = folders.unique(_folder_name(document))
            modified = document.completed_at or document.created_at or timezone.now()
            files = [f for f in (document.files or []) if f.get("key")]
            if not files:
                self.rows.append(
                    _Row(document, result="failed", error="The provider offers no file")
                )
                continue
            names = _Names()
            for file in files:
                row = _Row(document, file_key=str(file["key"]), file_kind=file.get("kind", ""))
                self.rows.append(row)
                try:
                    primed = open_primed(self._connector(document), document, row.file_key)
                except ConnectorError as exc:
                    row.result, row.error = "failed", exc.message
                    self.stats.files_failed += 1
                    continue
                except Exception as exc:  # a broken connector must not kill the archive
                    logger.exception("Evidence pack: %s failed on document %s", "open", document.pk)
                    row.result, row.error = "failed", f"Unexpected error ({type(exc).__name__})"
                    self.stats.files_failed += 1
                    continue
                name = file.get("name") or primed.stream.filename or row.file_key
                stream = primed.stream
                ext = file_extension(file, stream.filename, served_type(stream.content_type))
                if ext:  # what the file is, not what it is called (a PDF named ….exe)
                    name = f"{split_ext(name)[0]}{ext}"
                row.file_name = f"{folder}/{names.unique(safe_filename(name, ext=ext))}"
                yield (
                    row.file_name,
                    modified.astimezone(UTC),
                    _MODE,
                    ZIP_64,
                    self._relay(primed, row),
                )
        yield MANIFEST_NAME, timezone.now().astimezone(UTC), _MODE, ZIP_64, [self._manifest()]

    def _relay(self, primed, row: _Row) -> Iterator[bytes]:
        digest = hashlib.sha256()
        verifier = PackVerifier()
        try:
            for chunk in primed.chunks():
                digest.update(chunk)
                verifier.feed(chunk)
                row.bytes += len(chunk)
                self.stats.bytes += len(chunk)
                yield chunk
            size = primed.stream.size
            if size is not None and row.bytes != size:
                raise ConnectorError(
                    f"The provider sent {row.bytes} of {size} bytes", code="truncated"
                )
            self.stats.files_ok += 1
            row.verdict = verifier.result(digest.hexdigest())
        except ConnectorError as exc:
            row.result, row.error = "incomplete", exc.message
            self.stats.files_failed += 1
        except Exception as exc:
            logger.warning("Evidence pack: file broke mid-way (%s)", type(exc).__name__)
            row.result, row.error = "incomplete", f"The transfer broke ({type(exc).__name__})"
            self.stats.files_failed += 1
        finally:
            verifier.close()
            row.sha256 = digest.hexdigest()
            primed.stream.close()

    def _manifest(self) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(MANIFEST_COLUMNS)
        for row in self.rows:
            writer.writerow(row.values())
        # BOM: spreadsheets then read the UTF-8 names correctly.
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
