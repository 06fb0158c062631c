"""Runs the Playwright suite (services/web/e2e) against a real stack; screenshots of the main
screens at 375×812 and 1280×800 land in test-artifacts/screenshots/."""

from __future__ import annotations

import os
import subprocess
import time

import httpx
import pytest

from tests.support.processes import Stack

from .conftest import ARTIFACTS_DIR, WEB_DIR, Admin

pytestmark = pytest.mark.e2e

PLAYWRIGHT_TIMEOUT_SECONDS = 420


def test_gateway_serves_the_app(e2e_stack: Stack) -> None:
    """Same origin: the app at /, its routes survive a reload, the API stays the API."""
    with httpx.Client(base_url=e2e_stack.base_url, timeout=10) as client:
        index = client.get("/")
        assert index.status_code == 200
        assert '<div id="root">' in index.text
        # The built app runs under the strict policy: no inline script, not frameable.
        assert "script-src 'self';" in index.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in index.headers["Content-Security-Policy"]
        assert index.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert index.headers["X-Content-Type-Options"] == "nosniff"
        assert "<script>" not in index.text  # every script is a file (CSP: script-src 'self')
        deep = client.get("/progress")
        assert deep.status_code == 200
        assert '<div id="root">' in deep.text
        health = client.get("/api/health")
        assert health.headers["content-type"].startswith("application/json")
        assert client.get("/api/nothing-here").status_code == 404


@pytest.mark.timeout(PLAYWRIGHT_TIMEOUT_SECONDS + 60)
def test_learner_journey_and_admin_dashboard(
    e2e_stack: Stack, e2e_admin: Admin, chromium: str
) -> None:
    env = {
        **os.environ,
        "E2E_BASE_URL": e2e_stack.base_url,
        "E2E_ADMIN_USERNAME": e2e_admin.username,
        "E2E_ADMIN_PASSWORD": e2e_admin.password,
        "CHROMIUM_PATH": chromium,
        "E2E_ARTIFACTS_DIR": str(ARTIFACTS_DIR),
        "E2E_SCREENSHOT_DIR": str(ARTIFACTS_DIR / "screenshots"),
        "CI": "1",
    }
    playwright = WEB_DIR / "node_modules" / ".bin" / "playwright"
    started = time.monotonic()
    try:
        result = subprocess.run(
            [str(playwright), "test"],  # reporters: list + html (playwright.config.ts)
            cwd=WEB_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=PLAYWRIGHT_TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired as exc:
        output = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        pytest.fail(
            f"Playwright did not finish in {PLAYWRIGHT_TIMEOUT_SECONDS}s:\n{output[-8000:]}\n{e2e_stack.logs()}"
        )
    elapsed = time.monotonic() - started
    report = f"{result.stdout}\n{result.stderr}".strip()
    print(f"Playwright finished in {elapsed:.1f}s\n{report[-6000:]}")
    if result.returncode != 0:
        pytest.fail(
            f"Playwright failed (exit {result.returncode}, {elapsed:.0f}s). Report: "
            f"{ARTIFACTS_DIR / 'playwright' / 'report' / 'index.html'}\n{report[-12000:]}\n\n"
            f"== stack logs ==\n{e2e_stack.logs()}"
        )
