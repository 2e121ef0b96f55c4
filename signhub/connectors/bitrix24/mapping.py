"""Bitrix24 `*.tail` rows → DocumentRecord.

The company safe contains the personal rows too, with the same ids, and a document could show
up in more than one row; rows are therefore merged per id within one sync and the merged
record is (re)emitted whenever a row adds something. `file_url` embeds the access token: it is
stripped here, before anything reaches a record, and is never stored, shown or logged.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from signhub.core.connector import DocumentRecord, FileRecord, SignerRecord
from signhub.core.dates import to_utc

from .statuses import AWAITING_SIGNATURE, SIGNED, STATUSES

PERSONAL = "personal"
MYSAFE = "mysafe"
METHODS = {PERSONAL: "sign.b2e.personal.tail", MYSAFE: "sign.b2e.mysafe.tail"}
# The safe first: its rows are richer (create date, creator, member, role, folder).
LIST_ORDER = (MYSAFE, PERSONAL)

SIGNED_FILE_KEY = "signed"
_URL_KEYS = {"file_url", "fileUrl", "download_url", "downloadUrl"}
_TOKEN_IN_URL = re.compile(r"[?&](auth|access_token|token)=", re.IGNORECASE)


def sanitize(row: dict[str, Any]) -> dict[str, Any]:
    """The row without download links (they carry the access token)."""
    return {
        key: value
        for key, value in row.items()
        if key not in _URL_KEYS and not (isinstance(value, str) and _TOKEN_IN_URL.search(value))
    }


def row_id(row: dict[str, Any]) -> str | None:
    """The document id as a string; rows without a usable id are skipped by the caller."""
    value = row.get("id")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip().isdigit():
        return str(int(value.strip()))
    return None


# A portal's people as `user.get` gives them: {"19": {"name": "Ann Lee", "email": ...}}.
People = dict[str, dict[str, str]]


def user_id(value: Any) -> str:
    """A user id as `user.get` keys it (a string of digits), or ''."""
    if isinstance(value, bool) or value in (None, "", 0, "0"):
        return ""
    text = str(value).strip()
    return text if text.isdigit() else ""


def person(row: dict[str, Any]) -> dict[str, str]:
    """One `user.get` result row → {name, email} (NAME LAST_NAME, EMAIL)."""
    name = " ".join(
        str(row.get(k) or "").strip() for k in ("NAME", "LAST_NAME") if row.get(k)
    ).strip()
    return {"name": name, "email": str(row.get("EMAIL") or "").strip()}


def _user(value: Any, people: People | None = None) -> tuple[str, str]:
    """(name, email) of a user id: the portal's words when `user.get` gave them, else
    "Bitrix24 user 19" (the scope is missing, or the user is gone)."""
    uid = user_id(value)
    if not uid:
        return "", ""
    known = (people or {}).get(uid) or {}
    return known.get("name") or f"Bitrix24 user {uid}", known.get("email") or ""


def user_ids(row: dict[str, Any]) -> set[str]:
    """The user ids a safe row names (creator, member)."""
    return {u for u in (user_id(row.get("creator_id")), user_id(row.get("member_id"))) if u}


def _latest(values: list[datetime | None]) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _earliest(values: list[datetime | None]) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def to_record(
    doc_id: str, rows: list[tuple[str, dict[str, Any]]], people: People | None = None
) -> DocumentRecord:
    """One document from every (list, sanitized row) seen for its id; `people` (from
    `user.get`) turns the rows' user ids into names and e-mails.

    When the safe has the document, its rows are the record (richer, and the same whatever
    order the lists come in, so a re-sync does not rewrite it); the personal row then only
    supplies a signing date the safe rows lack.
    """
    safe_rows = [row for name, row in rows if name == MYSAFE]
    personal_rows = [row for name, row in rows if name == PERSONAL]
    main = [(MYSAFE, row) for row in safe_rows] or [(PERSONAL, row) for row in personal_rows]
    signed_dates = [to_utc(row.get("signed_date")) for _, row in main]
    if not any(signed_dates):
        signed_dates = [to_utc(row.get("signed_date")) for row in personal_rows]
    completed_at = _latest(signed_dates)
    created_at = _earliest([to_utc(row.get("create_date")) for row in safe_rows])
    raw_status = SIGNED if completed_at else AWAITING_SIGNATURE

    title = next((row["title"] for _, row in main if row.get("title") is not None), "")
    signers: list[SignerRecord] = []
    seen_members: set[tuple[str, str]] = set()
    for row in safe_rows:
        member = (str(row.get("member_id") or ""), str(row.get("role") or "signer"))
        if member in seen_members:
            continue
        seen_members.add(member)
        decided = to_utc(row.get("signed_date"))
        name, email = _user(row.get("member_id"), people)
        signers.append(
            SignerRecord(
                name=name,
                email=email,
                role=member[1],
                status="signed" if decided else "not_signed",
                decided_at=decided,
            )
        )
    if not safe_rows:
        # personal.tail has no member fields: the signer is the connected user.
        signers.append(
            SignerRecord(
                name="Connected Bitrix24 user",
                role="signer",
                status="signed" if completed_at else "not_signed",
                decided_at=completed_at,
            )
        )

    labels: list[str] = []
    for row in safe_rows:
        folder = row.get("folderName") or row.get("folder_name")
        if isinstance(folder, str) and folder.strip() and folder not in labels:
            labels.append(folder)

    creator = next((row.get("creator_id") for row in safe_rows if row.get("creator_id")), None)
    sender_name, sender_email = _user(creator, people)
    folder = labels[0] if labels else ""
    return DocumentRecord(
        external_id=doc_id,
        title=title if isinstance(title, str) else str(title),
        status=STATUSES.normalize(raw_status),
        provider_status=raw_status,
        sender_name=sender_name,
        sender_email=sender_email,
        signers=signers,
        labels=labels,
        files=[
            FileRecord(
                key=SIGNED_FILE_KEY,
                name="Signed document",
                kind="signed",
                # Downloads re-list this list to get a fresh link.
                handle={"list": main[0][0], "id": int(doc_id)},
            )
        ],
        created_at=created_at,
        completed_at=completed_at,
        last_activity_at=completed_at or created_at,
        folder=folder,
        listed_in=main[0][0],
        raw=_raw(doc_id, main, people),
    )


def _raw(doc_id: str, main: list, people: People | None) -> dict[str, Any]:
    """What is stored: the rows, and the people `user.get` named for them (so a re-map from
    the raw payload keeps the names)."""
    raw: dict[str, Any] = {"id": int(doc_id), "list": main[0][0], "rows": [r for _, r in main]}
    named = {u: people[u] for _, r in main for u in sorted(user_ids(r)) if (people or {}).get(u)}
    if named:
        raw["people"] = named
    return raw


class DocumentMerger:
    """Rows per id for one sync; `add` returns the record when it is new or changed."""

    def __init__(self, people: People | None = None) -> None:
        self._rows: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self._built: dict[str, DocumentRecord] = {}
        self.people: People = people if people is not None else {}

    def __contains__(self, doc_id: str) -> bool:
        return doc_id in self._rows

    def add(self, list_name: str, doc_id: str, row: dict[str, Any]) -> DocumentRecord | None:
        clean = sanitize(row)
        rows = self._rows.setdefault(doc_id, [])
        if (list_name, clean) in rows:
            return None
        rows.append((list_name, clean))
        record = to_record(doc_id, rows, self.people)
        if self._built.get(doc_id) == record:
            return None  # e.g. the personal copy of a safe row: nothing to rewrite
        self._built[doc_id] = record
        return record
