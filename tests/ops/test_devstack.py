"""The dev stack (`ailp stack`, shared/ailp/devstack): supervision restarts a service that exits,
with backoff, and says so; PID records never take a recycled PID for ours; the tests' `Stack`
runs the very commands `make up` runs."""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

from ailp.config import Settings
from ailp.devstack import pidfiles, procfs, services
from ailp.devstack.process import ManagedProcess, wait_until
from ailp.devstack.supervisor import Backoff, Supervisor
from tests.support.processes import Stack

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]


def _process(tmp_path: Path, name: str, argv: list[str]) -> ManagedProcess:
    return ManagedProcess(
        name=name,
        argv=argv,
        env=dict(os.environ),
        log_path=tmp_path / f"{name}.log",
        metrics_dir=tmp_path / "metrics" / name,
    )


def test_backoff_doubles_on_quick_failures_and_resets_after_a_stable_run() -> None:
    backoff = Backoff(initial=1, maximum=30, stable_after=60)
    delays = [0.0]
    for _ in range(7):
        delays.append(backoff.delay(delays[-1], ran_for=0.5))
    assert delays[1:] == [1, 2, 4, 8, 16, 30, 30]
    assert backoff.delay(30, ran_for=61) == 1


def test_a_killed_service_is_restarted_and_the_restart_is_logged(tmp_path: Path) -> None:
    worker = _process(tmp_path, "worker", SLEEPER)
    journal: list[str] = []
    starts: list[tuple[int, int]] = []
    supervisor = Supervisor(
        [worker],
        on_start=lambda process, restarts: starts.append((process.pid, restarts)),
        log=journal.append,
        backoff=Backoff(initial=0.2, maximum=1),
        stop_timeout=5,
    )
    loop = threading.Thread(target=supervisor.loop)
    loop.start()
    try:
        wait_until(lambda: starts, timeout=10)
        first = worker.pid
        os.kill(first, signal.SIGKILL)  # as `kill -9` or a crash would
        wait_until(lambda: len(starts) == 2 and worker.alive, timeout=10)
        assert starts[1][0] != first and starts[1][1] == 1
        assert any(f"worker (pid {first}) exited with code -9" in line for line in journal)
        assert "restart #1" in worker.log_path.read_text()
    finally:
        supervisor.request_stop()
        loop.join(20)
    assert not loop.is_alive() and not worker.alive
    assert any(line.endswith("worker stopped") for line in journal)


def test_what_a_service_leaves_behind_is_killed_before_it_restarts(tmp_path: Path) -> None:
    # A leader that starts a child in its group and dies, as a prefork pool's master would.
    parent = _process(
        tmp_path,
        "pool",
        [
            sys.executable,
            "-c",
            "import subprocess, sys, time; "
            f"subprocess.Popen({SLEEPER!r}); time.sleep(0.5); sys.exit(1)",
        ],
    )
    parent.start()
    pgid = parent.pid
    wait_until(lambda: not parent.alive, timeout=10)
    assert procfs.group_members(pgid)
    parent.kill_leftovers()
    wait_until(lambda: not procfs.group_members(pgid), timeout=10)


def test_a_pid_record_is_ours_only_while_the_start_time_matches(tmp_path: Path) -> None:
    paths = pidfiles.Paths(root=tmp_path, run=tmp_path / ".run")
    pidfiles.write_record(paths, "gateway", os.getpid(), restarts=2)
    record = pidfiles.read_record(paths, "gateway")
    assert record is not None and record.running and record.restarts == 2
    (paths.pids / "gateway.pid").write_text(f"{os.getpid()}\n1\n0\n")  # a recycled PID
    recycled = pidfiles.read_record(paths, "gateway")
    assert recycled is not None and not recycled.running
    assert pidfiles.recorded_names(paths) == ["gateway"]


def test_the_tests_run_the_commands_make_up_runs(tmp_path: Path) -> None:
    test_stack = Stack(database_url="postgresql:///unused", redis_url="redis://", workdir=tmp_path)
    settings = Settings(content_worker_concurrency=4, analytics_worker_concurrency=2)
    for name in services.SERVICES:
        dev = services.settings_command(name, settings)
        used = test_stack[name].argv
        if "-n" in dev:  # the tests name each stack's Celery nodes apart
            index = dev.index("-n")
            dev, used = dev[:index] + dev[index + 2 :], used[:index] + used[index + 2 :]
        assert used == dev, name
