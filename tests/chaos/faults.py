"""The fault model: what each fault breaks, how long it lasts, and how it is repaired.

A fault is injected, lasts `hold` seconds (for the kills: the supervisor's restart delay, at once
or a few seconds), then `repair` restores what a supervisor or an operator would: it restarts the
killed service, starts Redis or PostgreSQL again, or wakes the frozen worker. Each returns what it
did (pids, jobs in flight) for the campaign's timeline.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from tests.chaos.config import CampaignConfig
from tests.chaos.environment import Environment, signal_group
from tests.support.processes import wait_until

# A fault that meets no job in flight tests little: a fault aimed at workers waits (this long
# at most) for a moment when its target is in the middle of a job.
BUSY_SEARCH_SECONDS = 10.0


def restart_delay(config: CampaignConfig, rng: random.Random) -> float:
    """A supervisor restarts at once (half the time) or after a short random delay."""
    return 0.0 if rng.random() < 0.5 else round(rng.uniform(1.0, config.restart_delay_max), 2)


def running_jobs(env: Environment, *, kind: str | None = None, pid: int | None = None) -> int:
    """Jobs running now (of `kind`, or on the process `pid`); -1 when the database is away."""
    try:
        rows = env.query(
            "SELECT count(*) FROM jobs WHERE status = 'running'"
            " AND (%(kind)s::text IS NULL OR kind = %(kind)s)"
            " AND (%(pid)s::text IS NULL OR worker LIKE '%%:' || %(pid)s)",
            {"kind": kind, "pid": str(pid) if pid is not None else None},
        )
    except Exception:
        return -1
    return int(rows[0][0])


def _pids_running(env: Environment, kind: str) -> set[int]:
    """Processes that run a job of `kind` now (the `worker` column is "host:pid")."""
    rows = env.query(
        "SELECT DISTINCT worker FROM jobs WHERE status = 'running' AND kind = %s", (kind,)
    )
    return {int(worker.rsplit(":", 1)[1]) for (worker,) in rows if worker and ":" in worker}


def busy_moment(env: Environment, kind: str, among: Callable[[], list[int]]) -> list[int]:
    """Wait (bounded) until some of the processes `among()` run a job of `kind`; those pids,
    or [] when none did in time (the fault then lands on an idle moment)."""
    deadline = time.monotonic() + BUSY_SEARCH_SECONDS
    while time.monotonic() < deadline:
        busy = sorted(set(among()) & _pids_running(env, kind))
        if busy:
            return busy
        time.sleep(0.02)  # polling the job table for the moment to strike, not for an outcome
    return []


class Fault(Protocol):
    name: str
    fast: bool  # recovered within seconds (the fault tier's short campaign picks these)

    def inject(self, env: Environment, rng: random.Random) -> dict[str, Any]: ...

    def hold(self, config: CampaignConfig, rng: random.Random) -> float: ...

    def repair(self, env: Environment) -> dict[str, Any]: ...


@dataclass
class KillService:
    """SIGKILL every process of a service (no cleanup, no acknowledgements), then restart it."""

    name: str
    service: str
    fast: bool = True

    def inject(self, env: Environment, rng: random.Random) -> dict[str, Any]:
        service = env.stack[self.service]
        pid = service.pid
        details: dict[str, Any] = {"pid": pid}
        if self.service.startswith("content-worker"):
            details["mid_job"] = bool(busy_moment(env, "content", lambda: [pid]))
            details["jobs_running_on_it"] = running_jobs(env, pid=pid)
        service.kill()
        return details

    def hold(self, config: CampaignConfig, rng: random.Random) -> float:
        return restart_delay(config, rng)

    def repair(self, env: Environment) -> dict[str, Any]:
        env.stack.start(self.service)
        return {"new_pid": env.stack[self.service].pid}


@dataclass
class KillPoolChild:
    """SIGKILL one analytics prefork child, preferably one that runs jobs; the pool replaces it."""

    name: str = "kill-analytics-child"
    fast: bool = True
    _victim: int = 0

    def inject(self, env: Environment, rng: random.Random) -> dict[str, Any]:
        # Analytics jobs take milliseconds: a random instant would almost never find one.
        busy = busy_moment(env, "analytics", env.analytics_children)
        self._victim = rng.choice(busy or env.analytics_children())
        os.kill(self._victim, signal.SIGKILL)
        return {"pid": self._victim, "mid_job": bool(busy)}

    def hold(self, config: CampaignConfig, rng: random.Random) -> float:
        return 0.0  # the pool's parent is the supervisor here

    def repair(self, env: Environment) -> dict[str, Any]:
        wait_until(
            lambda: (
                self._victim not in env.analytics_children() and len(env.analytics_children()) >= 2
            ),
            timeout=60,
            message="the analytics pool replacing its child",
        )
        return {"children": env.analytics_children()}


@dataclass
class RestartRedis:
    """Restart Redis: gracefully with its append-only file (`keep`), or without any of its data
    (a restart without persistence, a failover to an empty replica)."""

    name: str
    keep: bool
    fast: bool = True

    def inject(self, env: Environment, rng: random.Random) -> dict[str, Any]:
        env.redis.stop(graceful=self.keep)
        if not self.keep:
            env.redis.wipe()
        return {"data": "kept" if self.keep else "lost"}

    def hold(self, config: CampaignConfig, rng: random.Random) -> float:
        return restart_delay(config, rng)

    def repair(self, env: Environment) -> dict[str, Any]:
        env.redis.start()
        return {}


@dataclass
class StopPostgres:
    """Stop PostgreSQL (fast shutdown: sessions are cut) for a while, then start it again."""

    name: str = "stop-postgres"
    fast: bool = False

    def inject(self, env: Environment, rng: random.Random) -> dict[str, Any]:
        # Aimed at model calls in flight: their answers come back while the database is away.
        mid_job = bool(busy_moment(env, "content", lambda: [env.stack["content-worker"].pid]))
        jobs = running_jobs(env)
        env.postgres.stop()
        return {"mid_content_job": mid_job, "jobs_running": jobs}

    def hold(self, config: CampaignConfig, rng: random.Random) -> float:
        return config.pg_outage_seconds

    def repair(self, env: Environment) -> dict[str, Any]:
        env.postgres.start()
        return {}


@dataclass
class FreezeWorker:
    """SIGSTOP a worker's whole process group (a VM pause, a swap storm), later SIGCONT."""

    name: str = "freeze-worker"
    fast: bool = False
    _target: str = ""

    def inject(self, env: Environment, rng: random.Random) -> dict[str, Any]:
        self._target = rng.choice(("content-worker", "analytics-worker"))
        service = env.stack[self._target]
        kind = self._target.split("-")[0]
        processes = env.analytics_children if kind == "analytics" else lambda: [service.pid]
        mid_job = bool(busy_moment(env, kind, processes))
        jobs = running_jobs(env, kind=kind)
        signal_group(service.pid, signal.SIGSTOP)
        return {"service": self._target, "pid": service.pid, "mid_job": mid_job, "jobs": jobs}

    def hold(self, config: CampaignConfig, rng: random.Random) -> float:
        return config.freeze_seconds

    def repair(self, env: Environment) -> dict[str, Any]:
        signal_group(env.stack[self._target].pid, signal.SIGCONT)
        return {}


def all_faults() -> dict[str, Fault]:
    faults: list[Fault] = [
        KillService("kill-content-worker", "content-worker"),
        KillPoolChild(),
        KillService("kill-gateway", "gateway"),
        KillService("kill-sweeper", "sweeper"),
        RestartRedis("restart-redis", keep=True),
        RestartRedis("restart-redis-flushed", keep=False),
        StopPostgres(),
        FreezeWorker(),
    ]
    return {fault.name: fault for fault in faults}


FAULT_NAMES = tuple(all_faults())


def schedule(names: tuple[str, ...], cycles: int, rng: random.Random) -> list[str]:
    """Round-robin over a seeded shuffle, so that every fault kind occurs once per round."""
    order = list(names or FAULT_NAMES)
    unknown = sorted(set(order) - set(FAULT_NAMES))
    if unknown:
        raise ValueError(f"unknown faults {unknown}; known: {', '.join(FAULT_NAMES)}")
    rng.shuffle(order)
    return [order[cycle % len(order)] for cycle in range(cycles)]
