"""`make up`'s Python half end to end (`ailp stack up / status / down`): the services start
supervised on a throw-away database, a worker killed with SIGKILL is started again and the
restart is logged, and `down` stops exactly what `up` started."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ailp.config import Settings
from ailp.devstack import pidfiles, procfs, services
from tests.support.database import (
    PRIVATE_REDIS_DB,
    create_database,
    drop_database,
    flush_redis,
    redis_url,
)
from tests.support.processes import free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.fault


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    names = {name.upper() for name in Settings.model_fields}
    web = tmp_path / "web"
    web.mkdir()
    (web / "index.html").write_text("<!doctype html><title>ailp</title>")
    database, broker = create_database("ailp_stack"), redis_url(PRIVATE_REDIS_DB)
    flush_redis(broker)
    values = {
        **{k: v for k, v in os.environ.items() if k.upper() not in names},
        "NO_COLOR": "1",
        "AILP_RUN_DIR": str(tmp_path / "run"),
        "DATABASE_URL": database,
        "REDIS_URL": broker,
        "JWT_SECRET": secrets.token_urlsafe(48),
        "PORT": str(free_port()),
        "CONTENT_METRICS_PORT": str(free_port()),
        "ANALYTICS_METRICS_PORT": str(free_port()),
        "SWEEPER_METRICS_PORT": str(free_port()),
        "WEB_CONCURRENCY": "1",
        "CONTENT_WORKER_CONCURRENCY": "2",
        "WEB_DIST_DIR": str(web),
        "LEARNER_MODEL_FIT_INTERVAL_HOURS": "0",
    }
    try:
        yield values
    finally:
        _ailp(values, "stack", "down")
        drop_database(database)
        flush_redis(broker)


def _ailp(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ailp.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_up_supervises_the_services_and_down_stops_them(env: dict[str, str]) -> None:
    up = _ailp(env, "stack", "up", "--timeout", "150")
    assert up.returncode == 0, up.stderr
    paths = pidfiles.Paths(root=ROOT, run=Path(env["AILP_RUN_DIR"]))
    records = {name: pidfiles.read_record(paths, name) for name in services.SERVICES}
    assert all(r is not None and r.running for r in records.values()), records
    status = _ailp(env, "stack", "status").stdout
    assert status.count(" running ") == 5 and "HTTP 200" in status

    worker = records["content-worker"]
    assert worker is not None
    os.kill(worker.pid, signal.SIGKILL)

    def restarted() -> bool:
        record = pidfiles.read_record(paths, "content-worker")
        return record is not None and record.restarts == 1 and record.running

    wait_until(restarted, timeout=30, message="the content worker restarted")
    journal = (paths.logs / "supervisor.log").read_text()
    assert f"content-worker (pid {worker.pid}) exited with code -9" in journal

    down = _ailp(env, "stack", "down")
    assert down.returncode == 0, down.stderr
    assert list(paths.pids.glob("*.pid")) == []
    pids = [r.pid for r in records.values() if r is not None]
    wait_until(lambda: not any(procfs.group_members(pid) for pid in pids), timeout=10)
