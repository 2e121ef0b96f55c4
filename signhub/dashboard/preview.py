"""Which file of a document the detail page previews, and how it is labelled.

The signed copy when there is one; otherwise the original, labelled as not signed. Files
whose name says they are not PDFs get the download-instead fallback without a request.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from signhub.downloads.filenames import split_ext

# Preview order by file kind; audit trails are not previewed in place of the document.
_ORDER = ("signed", "original")
_LABELS = {"signed": "Signed copy", "original": "Original document — not the signed copy"}


@dataclass(frozen=True)
class Preview:
    key: str
    name: str
    label: str
    is_pdf: bool
    url: str
    download_url: str


def preview_for(document) -> Preview | None:
    files = [f for f in document.files or [] if f.get("key")]
    for kind in _ORDER:
        file = next((f for f in files if f.get("kind") == kind), None)
        if file is not None:
            break
    else:
        return None
    key = file["key"]
    name = file.get("name") or key
    _, ext = split_ext(name)
    return Preview(
        key=key,
        name=name,
        label=_LABELS[kind],
        is_pdf=ext.lower() in ("", ".pdf"),
        url=reverse("downloads:preview", args=[document.pk, key]),
        download_url=reverse("downloads:file", args=[document.pk, key]),
    )
