"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server."""

from __future__ import annotations

from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def page(browser):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
        timezone_id="Europe/Berlin",
        locale="en-GB",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    # Record CSP violations with the offending element, for readable failures.
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation', e => "
        "window.__csp.push(e.violatedDirective + ' ' + (e.target && e.target.outerHTML "
        "? e.target.outerHTML.slice(0, 160) : '')))"
    )
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: errors.append(f"{msg.text} @ {msg.location}") if msg.type == "error" else None,
    )
    page.js_errors = errors
    yield page
    context.close()


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached per-account document counts must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
