"""Benchmark (not a test): decode a 100 MB file sent as base64 JSON in 64 KB chunks.

Run: PYTHONPATH=. .venv/bin/python tests/connectors/jsign/bench_download.py
Prints throughput and peak RSS growth (the decoder holds one chunk, never the file).
"""

from __future__ import annotations

import base64
import os
import resource
import time
from collections.abc import Iterator

SIZE = 100 * 1024 * 1024
RAW_BLOCK = 48 * 1024  # 64 KB once base64-encoded


def source(block: bytes) -> Iterator[bytes]:
    yield b'{"message": "", "data": {"file_name": "big.pdf", "document_base64": "'
    for _ in range(SIZE // RAW_BLOCK):
        yield block
    yield b'"}}'


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "signhub.settings")
    import django

    django.setup()
    from signhub.connectors.jsign.download import Base64JsonDecoder

    block = base64.b64encode(os.urandom(RAW_BLOCK))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    decoder = Base64JsonDecoder(source(block))
    decoder.open()
    total = sum(len(chunk) for chunk in decoder)
    elapsed = time.perf_counter() - start
    growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    mb = total / 2**20
    print(
        f"decoded {mb:.0f} MB in {elapsed:.2f} s = {mb / elapsed:.0f} MB/s; "
        f"peak RSS growth {growth:.1f} MB"
    )


if __name__ == "__main__":
    main()
