from __future__ import annotations

import pytest

from signhub.core.http import throttle

from .helpers import BASE, OAUTH


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle buckets are keyed by account id, which the test database reuses."""
    throttle.reset()
    yield
    throttle.reset()


@pytest.fixture
def box_account(make_account):
    def make(credentials=None, options=None, **kwargs):
        return make_account(
            "box",
            credentials=dict(OAUTH if credentials is None else credentials),
            options=options or {},
            base_url=kwargs.pop("base_url", BASE),
            **kwargs,
        )

    return make
