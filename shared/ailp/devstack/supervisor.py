"""Restart-on-exit supervision for the background stack of `make up`.

A service that exits — a crash, kombu's "Error on stopping Hub" when Redis restarts, a `kill -9`
— is started again after a delay that doubles with each quick failure (1 s, 2 s, 4 s … up to
30 s) and goes back to 1 s once a run has lasted a minute. Every exit and restart is logged, in
the supervisor's log and in the service's own.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ailp.devstack.process import ManagedProcess, signal_group


@dataclass(frozen=True)
class Backoff:
    initial: float = 1.0
    maximum: float = 30.0
    stable_after: float = 60.0  # a run at least this long resets the delay

    def delay(self, previous: float, ran_for: float) -> float:
        if ran_for >= self.stable_after or previous <= 0:
            return self.initial
        return min(previous * 2, self.maximum)


def stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Supervised:
    process: ManagedProcess
    restarts: int = 0
    started_at: float = 0.0
    delay: float = 0.0
    restart_at: float | None = None  # set while it waits to be restarted


@dataclass
class Supervisor:
    processes: list[ManagedProcess]
    on_start: Callable[[ManagedProcess, int], None] = lambda process, restarts: None
    log: Callable[[str], None] = print
    backoff: Backoff = field(default_factory=Backoff)
    stop_timeout: float = 20.0
    _stopping: bool = False

    def run(self) -> None:
        """Start every process and keep them running until SIGTERM or SIGINT; then stop them."""
        signal.signal(signal.SIGTERM, lambda signum, frame: self.request_stop())
        signal.signal(signal.SIGINT, lambda signum, frame: self.request_stop())
        self.loop()

    def loop(self) -> None:
        """`run` without the signal handlers (they need the main thread): until `request_stop`."""
        watched = [Supervised(process) for process in self.processes]
        for entry in watched:
            self._start(entry)
        while not self._stopping:
            now = time.monotonic()
            for entry in watched:
                self._check(entry, now)
            time.sleep(0.2)
        self.stop_all()

    def request_stop(self) -> None:
        self._stopping = True

    def _start(self, entry: Supervised) -> None:
        entry.process.start()
        entry.started_at = time.monotonic()
        entry.restart_at = None
        self.on_start(entry.process, entry.restarts)
        self.log(f"{stamp()} started {entry.process.name} (pid {entry.process.pid})")

    def _check(self, entry: Supervised, now: float) -> None:
        process = entry.process
        if entry.restart_at is not None:
            if now >= entry.restart_at:
                entry.restarts += 1
                self._start(entry)
            return
        if process.alive:
            return
        process.kill_leftovers()
        entry.delay = self.backoff.delay(entry.delay, now - entry.started_at)
        entry.restart_at = now + entry.delay
        message = (
            f"{stamp()} {process.name} (pid {process.pid}) exited with code "
            f"{process.returncode}; restarting it in {entry.delay:.0f} s "
            f"(restart #{entry.restarts + 1})"
        )
        self.log(message)
        with process.log_path.open("a", encoding="utf-8") as log:
            log.write(f"\n===== ailp stack: {message} =====\n")

    def stop_all(self) -> None:
        """SIGTERM every process group at once (the grace periods run in parallel), SIGKILL
        what is still there after `stop_timeout` seconds."""
        running = [p for p in self.processes if p.alive]
        for process in running:
            self.log(f"{stamp()} stopping {process.name} (process group {process.pid}): SIGTERM")
            signal_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        while any(p.alive for p in running) and time.monotonic() < deadline:
            time.sleep(0.2)
        for process in running:
            if process.alive:
                self.log(
                    f"{stamp()} {process.name} did not stop within {self.stop_timeout:.0f} s: "
                    "SIGKILL (its unfinished jobs are recovered by the sweeper)"
                )
                process.kill()
            process.kill_leftovers()
            self.log(f"{stamp()} {process.name} stopped")
