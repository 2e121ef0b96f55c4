"""Schemathesis hooks: how to make a value of the API's `signature` format (a real CMS or
XML signature, which a JSON Schema cannot describe). Loaded through SCHEMATHESIS_HOOKS."""

from __future__ import annotations

import base64

import schemathesis
from hypothesis import strategies as st

from tests.persist import pki

_VALUES = [
    base64.b64encode(pki.make_cms(b"schemathesis")).decode(),
    base64.b64encode(pki.xml_signed()).decode(),
    pki.xml_signed().decode(),
]

schemathesis.openapi.format("signature", st.sampled_from(_VALUES))
