"""A web worker's start (signhub.ops.worker): every view imported, then the collector kept
off the long-lived objects, so a full collection pauses for what requests made, not for
the whole application (the list's p95 outliers)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Imports the WSGI module as gunicorn does, then reports on the collector.
PROBE = """
import gc, json, sys, time
import signhub.wsgi
frozen = gc.get_freeze_count()
tracked = len(gc.get_objects())
started = time.perf_counter()
gc.collect()
print(json.dumps({
    "frozen": frozen,
    "tracked": tracked,
    "views": "signhub.dashboard.views" in sys.modules,
    "collect_ms": (time.perf_counter() - started) * 1000,
}))
"""


def _probe(**env) -> dict:
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", **env}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environ, capture_output=True, text=True,
        timeout=60, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_wsgi_worker_imports_every_view_and_freezes_what_is_alive():
    report = _probe()
    assert report["views"], "the URLconf's views are imported at start, not on the first request"
    # The whole application is frozen; what the collector still walks is what came after.
    assert report["frozen"] > 50_000
    assert report["tracked"] < report["frozen"] / 10


def test_prepare_returns_the_frozen_count_and_leaves_the_collector_on():
    import gc

    from signhub.ops.worker import prepare

    try:
        frozen = prepare()
        # What it froze, give or take objects freed since (a frozen object still dies when
        # its last reference goes, in another thread too: the count is not exact later).
        assert frozen > 50_000
        assert 0.99 * frozen <= gc.get_freeze_count() <= frozen
        assert gc.isenabled()
    finally:
        gc.unfreeze()  # the test process goes on allocating as before
