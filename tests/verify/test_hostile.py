"""Hostile bytes (flipped, cut, appended) never break a verifier: always a verdict."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signhub.verify import cms, pdf, trust, xmldsig
from signhub.verify.verdict import INDICATIONS

mutations = st.fixed_dictionaries(
    {
        "at": st.floats(0, 1),
        "byte": st.integers(0, 255),
        "cut": st.booleans(),
        "tail": st.binary(max_size=16),
    }
)


def mutate(data: bytes, m: dict) -> bytes:
    at = int(m["at"] * (len(data) - 1))
    changed = data[:at] + bytes([m["byte"]]) + data[at + 1 :]
    if m["cut"]:
        changed = changed[: max(at, 1)]
    return changed + m["tail"]


CHECKS = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_mutated_signatures_always_get_a_verdict(samples):
    root = samples["cms-attached"].path.parent
    store = trust._read(str(root / "anchors.pem"), str(root / "crl.pem"))
    originals = {
        "cms": samples["cms-timestamped"].data,
        "xml": samples["xml-good"].data,
        "pdf": samples["pdf-two-signatures"].data,
    }

    @CHECKS
    @given(kind=st.sampled_from(sorted(originals)), m=mutations)
    def run(kind, m):
        data = mutate(originals[kind], m)
        if kind == "cms":
            verdict = cms.verify(data, store=store)
        elif kind == "xml":
            verdict = xmldsig.verify(data, store=store)
        else:
            verdict = pdf.verify_file(io.BytesIO(data), store=store)
        assert verdict.indication in INDICATIONS and verdict.reason
        assert verdict.to_json()["indication"] == verdict.indication  # storable as is

    run()
