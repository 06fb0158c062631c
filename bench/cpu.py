"""Where the CPU went during a measurement, as shares of all cores (100 = every core busy): the
app under test, wrk (or the model server), this database's PostgreSQL backends, Redis, and the
rest (on a shared machine: other people's work). On 2 cores with the load generator on the same
cores, a figure means little without knowing how much of the machine it had."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import redis

from ailp.devstack import procfs
from bench.seed import backend_pids

GROUPS = ("app", "wrk", "postgres", "redis")


def _tree(roots: Iterable[int]) -> set[int]:
    found: set[int] = set()
    todo = [pid for pid in roots if pid]
    while todo:
        if (pid := todo.pop()) not in found and procfs.start_time(pid) is not None:
            found.add(pid)
            todo += procfs.child_pids(pid)
    return found


class Meter:
    """`with Meter(app pids, database, Redis) as meter:` samples the process trees at entry and
    exit; processes gone by the exit are not seen (add their CPU from RUSAGE_CHILDREN)."""

    def __init__(
        self, app: Iterable[int], database_url: str, redis_url: str, wrk: Iterable[int] = ()
    ) -> None:
        self.roots, self.database_url = {"app": list(app), "wrk": list(wrk)}, database_url
        with redis.Redis.from_url(redis_url) as client:
            self.redis_pid = int(client.info("server")["process_id"])

    def _sample(self) -> dict[str, Any]:
        groups = {name: _tree(roots) for name, roots in self.roots.items()}
        groups["postgres"] = backend_pids(self.database_url) - groups["app"]
        groups["redis"] = {self.redis_pid}
        pids = set().union(*groups.values())
        cpu = {pid: (procfs.start_time(pid), procfs.cpu_time(pid) or 0.0) for pid in pids}
        busy, total = procfs.machine_cpu_time()
        return {
            "wall": time.monotonic(),
            "busy": busy,
            "total": total,
            "groups": groups,
            "cpu": cpu,
        }

    def __enter__(self) -> Meter:
        self.start = self._sample()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.end = self._sample()

    def cpu_s(self, group: str) -> float:
        """CPU seconds the group's processes (seen at the entry or the exit) spent meanwhile."""
        spent = 0.0
        for pid in (self.start["groups"][group] | self.end["groups"][group]) & self.end[
            "cpu"
        ].keys():
            started, used = self.end["cpu"][pid]
            before = self.start["cpu"].get(pid)
            spent += used - (before[1] if before and before[0] == started else 0.0)
        return spent

    def shares(self, wrk_s: float = 0.0, app_extra_s: float = 0.0) -> dict[str, float]:
        """Percent of all cores per group, `other` (the rest of the busy time) and `idle`;
        `wrk_s` (wrk's CPU, by RUSAGE_CHILDREN) and `app_extra_s` add to their groups."""
        capacity = self.end["total"] - self.start["total"]
        if capacity <= 0:
            return {}
        spent = {name: self.cpu_s(name) for name in GROUPS}
        spent["wrk"], spent["app"] = spent["wrk"] + wrk_s, spent["app"] + app_extra_s
        busy = self.end["busy"] - self.start["busy"]
        spent["other"], spent["idle"] = max(0.0, busy - sum(spent.values())), capacity - busy
        return {name: round(100 * value / capacity, 1) for name, value in spent.items()}

    def ms_per(self, items: int, group: str = "app", extra_s: float = 0.0) -> float | None:
        """CPU ms of the group per item (request, job, learner)."""
        return round((self.cpu_s(group) + extra_s) * 1000 / items, 3) if items else None
