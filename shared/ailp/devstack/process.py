"""One service process: started in its own session (so its whole process group can be stopped),
its output appended to a log file, its Prometheus multiprocess folder emptied before each start."""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ailp.devstack import procfs


class ServiceExited(RuntimeError):
    """A service process died while something waited for it: no point in waiting longer."""


def wait_until(
    predicate: Callable[[], Any], *, timeout: float, interval: float = 0.1, message: str = ""
) -> Any:
    """Poll `predicate` until it returns a truthy value; fail after `timeout` seconds.

    Errors raised by `predicate` count as "not yet" (the thing polled may not be up yet), except
    `ServiceExited`, which ends the wait at once.
    """
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except ServiceExited:
            raise
        except Exception as exc:  # the thing polled may not be up yet
            last_error = exc
        time.sleep(interval)
    raise TimeoutError(
        f"timed out after {timeout}s waiting for {message or predicate}: {last_error}"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def connect_host(host: str) -> str:
    """A host to reach a server bound to `host` (0.0.0.0 → 127.0.0.1, :: → ::1)."""
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "[::]": "::1", "": "127.0.0.1"}.get(host, host)


def url_host(host: str) -> str:
    """`connect_host`, bracketed for an IPv6 URL."""
    host = connect_host(host)
    return f"[{host}]" if ":" in host else host


def port_in_use(host: str, port: int) -> bool:
    try:
        socket.create_connection((connect_host(host), port), timeout=1).close()
    except OSError:
        return False
    return True


def _die_with_parent() -> None:
    """Runs in the child before exec: when its parent (a test, the supervisor) dies, so does the
    service (Linux), instead of running on unwatched."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def signal_group(pgid: int, signum: int) -> bool:
    """Send `signum` to process group `pgid`; False when the group is gone."""
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        return False
    return True


@dataclass
class ManagedProcess:
    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    metrics_dir: Path
    metrics_port: int | None = None  # a worker's own /metrics port (the gateway serves its own)
    cwd: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    log_offset: int = 0  # where this run's output starts in the (appended) log

    def start(self) -> None:
        if self.alive:
            return
        shutil.rmtree(self.metrics_dir, ignore_errors=True)
        self.metrics_dir.mkdir(parents=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.log_offset = log.tell()
            self.process = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env={**self.env, "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir)},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM the process group, SIGKILL it after `timeout` seconds."""
        if not self.alive:
            return
        assert self.process is not None
        signal_group(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL the whole process group: no cleanup, no acknowledgements."""
        if self.process is None:
            return
        signal_group(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def kill_leftovers(self) -> None:
        """After the leader exited: SIGKILL what is left of its group (e.g. a prefork pool's
        children), so a restart does not run beside the old processes."""
        if self.process is not None and procfs.group_members(self.process.pid):
            signal_group(self.process.pid, signal.SIGKILL)

    def output(self) -> bytes:
        """What the current run has logged so far (earlier runs' lines excluded)."""
        with self.log_path.open("rb") as log:
            log.seek(self.log_offset)
            return log.read()

    def log_tail(self, lines: int = 40, *, without: str | None = None) -> str:
        """The log's last `lines` lines, those containing `without` left out."""
        if not self.log_path.exists():
            return ""
        kept = self.log_path.read_text(errors="replace").splitlines()
        if without is not None:
            kept = [line for line in kept if without not in line]
        return "\n".join(kept[-lines:])
