"""A small, valid PDF for the sandboxes: the demo's preview shows a real page, not a stub.

Hand-built (one page per entry, Helvetica text, a correct cross-reference table) so the
sandboxes need no PDF library; the text is ASCII with PDF string escapes.
"""

from __future__ import annotations


def _escape(text: str) -> str:
    text = text.encode("ascii", "replace").decode("ascii")
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _page_content(lines: list[str]) -> bytes:
    parts = ["BT /F1 20 Tf 72 740 Td"]
    for i, line in enumerate(lines):
        if i == 1:
            parts.append("/F1 12 Tf 0 -32 Td")
        elif i:
            parts.append("0 -18 Td")
        parts.append(f"({_escape(line)}) Tj")
    parts.append("ET")
    # A frame around the page so a rendered canvas is visibly drawn.
    parts.append("0.2 0.4 0.7 RG 2 w 36 36 540 720 re S")
    return "\n".join(parts).encode("ascii")


def sample_pdf(title: str, *, pages: int = 1, subtitle: str = "signhub sandbox document") -> bytes:
    """A PDF of `pages` US-letter pages, each with the title, a subtitle and its page number."""
    pages = max(1, pages)
    objects: list[bytes] = []
    # 1: catalog, 2: pages, 3: font, then (page, content) pairs.
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i in range(pages):
        content = _page_content([title, subtitle, f"Page {i + 1} of {pages}"])
        objects.append(
            (
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>"
            ).encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
