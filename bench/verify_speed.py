"""How long one signature verification takes, per format (the samples of tests/verify).

    .venv/bin/python bench/verify_speed.py            # 20 rounds
    .venv/bin/python bench/verify_speed.py --rounds 50

Builds the OpenSSL / xmlsec1 / pyHanko samples in a temporary folder, then times
signhub.verify on them with the test CA as trust anchor and its CRL (the full path: parsing,
integrity, chain building, revocation, timestamps). Prints the median and the 90th
percentile per sample, in milliseconds. The evidence pack and "Verify signatures" pay this
once per distinct file (verdicts are cached by SHA-256).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "signhub.settings")
os.environ.setdefault("SIGNHUB_DATA_DIR", tempfile.mkdtemp(prefix="signhub-bench-"))
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from signhub.verify import cms, pdf, trust, xmldsig  # noqa: E402
from tests.verify import samples as sample_tools  # noqa: E402

PICK = [
    "cms-attached", "cms-two-signers", "cms-timestamped", "cms-expired",
    "xml-good", "pdf-one-signature", "pdf-two-signatures", "pdf-tampered-byte",
]  # fmt: skip


def verify(sample, store):
    if sample.kind == "cms":
        return cms.verify(sample.data, store=store)
    if sample.kind == "xml":
        return xmldsig.verify(sample.data, store=store)
    return pdf.verify_file(io.BytesIO(sample.data), store=store)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    root = Path(tempfile.mkdtemp(prefix="signhub-samples-"))
    built = sample_tools.build_all(root)
    store = trust._read(str(root / "anchors.pem"), str(root / "crl.pem"))
    print(f"{'sample':26} {'bytes':>7} {'verdict':>14} {'median ms':>10} {'p90 ms':>8}")
    for name in PICK:
        sample = built[name]
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            verdict = verify(sample, store)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
        print(
            f"{name:26} {len(sample.data):>7} {verdict.indication:>14} "
            f"{statistics.median(times):>10.1f} {p90:>8.1f}"
        )


if __name__ == "__main__":
    main()
