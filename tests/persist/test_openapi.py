"""The OpenAPI document is exact: schemathesis (CLI, every check, positive and negative data)
runs against the live API and finds nothing. Bounded: a fixed seed, the coverage phase (~560
systematic positive and negative cases) and 10 fuzzed examples per operation (~45 s).
Reproduce by hand, larger:

    SCHEMATHESIS_HOOKS=tests.persist.schemathesis_hooks schemathesis run \\
        http://127.0.0.1:8000/persist/openapi.json --url http://127.0.0.1:8000/persist \\
        -H "Authorization: Bearer $TOKEN" --checks all -n 200
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from signhub.persist.models import ApiToken

ROOT = Path(__file__).resolve().parents[2]
CLI = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or shutil.which(
    "schemathesis"
)


@pytest.mark.skipif(CLI is None, reason="schemathesis is not installed (dev extra)")
@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_failure(live_server, tmp_path):
    token = ApiToken.issue("schemathesis", can_write=True)[1]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.persist.schemathesis_hooks",
        "PYTHONPATH": str(ROOT),
    }
    proc = subprocess.run(
        [
            CLI,
            "run",
            f"{live_server.url}/persist/openapi.json",
            "--url",
            f"{live_server.url}/persist",
            "-H",
            f"Authorization: Bearer {token}",
            "--checks",
            "all",
            "--max-examples",
            "25",
            "--seed",
            "4",
            "--no-color",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=tmp_path,  # its .schemathesis cache goes there, not into the repository
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-6000:]
    assert "No issues found" in output and "4/4" in output


def test_the_description_names_precedence_types_and_required_fields(client):
    spec = client.get("/persist/openapi.json").json()
    assert "body value wins" in spec["info"]["description"]
    save = spec["paths"]["/signature"]["post"]["requestBody"]
    assert save["required"] is True
    schema = save["content"]["application/json"]["schema"]
    assert schema["required"] == ["document", "thread"]
    assert [a["required"] for a in schema["anyOf"]] == [["cms"], ["signature"]]
    for path, method in [("/signature", "get"), ("/signature", "delete"), ("/signatures", "get")]:
        assert "requestBody" in spec["paths"][path][method], (path, method)
    item = spec["components"]["schemas"]["Signature"]
    assert {"created_at", "version_created_at", "updated_at"} <= set(item["required"])
