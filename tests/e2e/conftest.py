"""The web app end to end: a real stack (gateway serving the built app, both workers, the
sweeper, PostgreSQL, Redis and the loopback model server) driven by Playwright in Debian's
Chromium. See services/web/README.md."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.database import REDIS_DB_BASE
from tests.support.model_server import ModelServerProcess
from tests.support.processes import REPO_ROOT, Stack, throwaway_stack

WEB_DIR = REPO_ROOT / "services" / "web"
DIST_DIR = WEB_DIR / "dist"
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"
# 15 by default; moves with AILP_TEST_REDIS_DB. Shared with the in-process gateway tier
# (tests/gateway), which runs after this package: the stack is package-scoped, so it is gone by then.
E2E_REDIS_DB = REDIS_DB_BASE + 4
DEFAULT_CHROMIUM = "/usr/bin/chromium"

# What the build depends on: a newer file than dist/index.html means the build is stale.
BUILD_INPUTS = (
    "src",
    "public",
    "index.html",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "tsconfig.json",
    "tsconfig.app.json",
    "tsconfig.node.json",
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: drives the built web app in a real browser")


def _newest_mtime(paths: list[Path]) -> float:
    newest = 0.0
    for path in paths:
        if path.is_dir():
            for child in path.rglob("*"):
                if child.is_file() and ".test." not in child.name:
                    newest = max(newest, child.stat().st_mtime)
        elif path.exists():
            newest = max(newest, path.stat().st_mtime)
    return newest


def build_is_stale() -> bool:
    index = DIST_DIR / "index.html"
    if not index.exists():
        return True
    return _newest_mtime([WEB_DIR / name for name in BUILD_INPUTS]) > index.stat().st_mtime


def _run(argv: list[str], what: str, timeout: float) -> None:
    result = subprocess.run(argv, cwd=WEB_DIR, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        pytest.fail(
            f"{what} failed ({' '.join(argv)}):\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )


@pytest.fixture(scope="session")
def web_dist() -> Path:
    """The built app (deploy/scripts/test.sh builds it first; this builds it when run alone)."""
    if build_is_stale():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail(
                "the web app is not built and npm is missing: run `make test` (it installs Node)"
            )
        lock = WEB_DIR / "package-lock.json"
        stamp = WEB_DIR / "node_modules" / ".package-lock.json"
        if not stamp.exists() or lock.stat().st_mtime > stamp.stat().st_mtime:
            _run([npm, "ci", "--no-audit", "--no-fund"], "npm ci", timeout=600)
        _run([npm, "run", "build"], "building the web app", timeout=600)
    return DIST_DIR


def _install_chromium() -> str | None:
    """Debian's chromium package, when we may install packages; else the reason we cannot."""
    if shutil.which("apt-get") is None:
        return "apt-get is not available"
    prefix: list[str] = []
    if os.geteuid() != 0:
        if shutil.which("sudo") is None:
            return "not root and no sudo"
        if subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode != 0:
            return "sudo needs a password"
        prefix = ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*prefix, "apt-get", "install", "-y", "--no-install-recommends", "chromium"]
    if subprocess.run(install, capture_output=True, env=env).returncode != 0:
        subprocess.run([*prefix, "apt-get", "update"], capture_output=True, env=env)
        result = subprocess.run(install, capture_output=True, text=True, env=env)
        if result.returncode != 0:
            return f"apt-get install chromium failed: {result.stderr[-500:]}"
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    path = os.environ.get("CHROMIUM_PATH", DEFAULT_CHROMIUM)
    if not Path(path).exists():
        reason = _install_chromium()
        if not Path(path).exists():
            pytest.skip(
                f"no Chromium at {path} and it cannot be installed ({reason}); "
                "install Debian's `chromium` package to run the web app's end-to-end tests"
            )
    return path


@pytest.fixture(scope="package")
def e2e_model_server() -> Iterator[ModelServerProcess]:
    with ModelServerProcess() as server:
        yield server


@pytest.fixture(scope="package")
def e2e_stack(
    web_dist: Path, e2e_model_server: ModelServerProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    control = e2e_model_server.control
    control.reset()
    # The journey watches a lesson go queued → running → done: this one takes a moment.
    control.add_rule("Database indexing", mode="slow", delay=4.5)
    # The cancel test fills every content-worker thread with these, so its next request waits.
    control.add_rule("e2e-hold", mode="slow", delay=6)
    with throwaway_stack(
        redis_db=E2E_REDIS_DB,
        workdir=Path(tmp_path_factory.mktemp("e2e-stack")),
        database_prefix="ailp_e2e",
        openai_base_url=e2e_model_server.base_url,
        extra_env={
            "WEB_DIST_DIR": str(web_dist),
            # Held requests (see above) must not time out.
            "OPENAI_TIMEOUT_SECONDS": "20",
        },
    ) as stack:
        yield stack


SAMPLE = REPO_ROOT / "data" / "assistments2009" / "builder_train.csv"


@dataclass(frozen=True)
class Admin:
    username: str
    password: str


@pytest.fixture(scope="package")
def e2e_admin(e2e_stack: Stack) -> Admin:
    """An administrator: signed up through the API, promoted with the `ailp make-admin` CLI."""
    admin = Admin(username="e2e_admin", password="admin-password-42")
    response = httpx.post(
        f"{e2e_stack.base_url}/api/auth/register",
        json={
            "username": admin.username,
            "email": "e2e_admin@example.com",
            "password": admin.password,
        },
        timeout=10,
    )
    assert response.status_code == 201, response.text
    result = subprocess.run(
        [sys.executable, "-m", "ailp.cli", "make-admin", admin.username],
        cwd=REPO_ROOT,
        env={**os.environ, "DATABASE_URL": e2e_stack.database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Fitted learner-model parameters for the operator page (the shipped ASSISTments sample).
    fitted = subprocess.run(
        [sys.executable, "-m", "ailp.cli", "learner-model", "fit", "--from-csv", str(SAMPLE)],
        cwd=REPO_ROOT,
        env={**os.environ, "DATABASE_URL": e2e_stack.database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert fitted.returncode == 0, fitted.stdout + fitted.stderr
    return admin
