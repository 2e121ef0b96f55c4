from __future__ import annotations

import pytest
from django.test import override_settings

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def queue_only():
    """Tasks are recorded, not run: a queued SyncRun stays queued like with real workers."""
    with override_settings(TASKS=DUMMY_TASKS):
        yield
