"""Where the CPU went during a measurement, from /proc: the app under test, wrk, PostgreSQL,
Redis, and everything else (on a shared machine: other people's tests).

On 2 cores with the load generator on the same cores, a scenario's figures mean little without
knowing how much of the machine it actually had; this is printed beside each one.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Proc:
    comm: str
    ppid: int
    ticks: int  # utime + stime


@dataclass(frozen=True)
class Sample:
    wall: float
    busy: int  # jiffies, all CPUs
    total: int
    procs: dict[int, Proc]


def _read_procs() -> dict[int, Proc]:
    procs: dict[int, Proc] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.find("(") + 1 : stat.rfind(")")]
        fields = stat[stat.rfind(")") + 2 :].split()
        # fields[0] is the state (stat field 3): ppid is field 4, utime 14, stime 15.
        procs[int(entry.name)] = Proc(comm, int(fields[1]), int(fields[11]) + int(fields[12]))
    return procs


def sample() -> Sample:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    total = sum(values[:8])
    return Sample(time.monotonic(), total - idle, total, _read_procs())


def _descendants(procs: dict[int, Proc], roots: list[int]) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, proc in procs.items():
        children.setdefault(proc.ppid, []).append(pid)
    found: set[int] = set()
    stack = [root for root in roots if root in procs]
    while stack:
        pid = stack.pop()
        if pid in found:
            continue
        found.add(pid)
        stack.extend(children.get(pid, []))
    return found


def _ticks(before: Sample, after: Sample, pids: set[int]) -> int:
    """Clock ticks the processes `pids` spent between two samples (those gone by `after` are
    not seen: count a waited-for child with RUSAGE_CHILDREN instead, see `usage`'s
    `app_extra_s`). USER_HZ jiffies in /proc/stat and clock ticks in /proc/<pid>/stat are the
    same unit."""
    spent = 0
    for pid in pids:
        end = after.procs.get(pid)
        if end is None:
            continue
        start = before.procs.get(pid)
        spent += end.ticks - (start.ticks if start and start.comm == end.comm else 0)
    return spent


def usage(
    before: Sample,
    after: Sample,
    app_roots: list[int],
    wrk_cpu_s: float,
    postgres_backends: set[int] | None = None,
    app_extra_s: float = 0.0,
) -> dict[str, float]:
    """Shares of the whole machine's capacity (100 = every core busy) over the interval.

    `app_extra_s`: CPU seconds of app processes that exited before `after` (measured by the
    caller with RUSAGE_CHILDREN), added to `app`.

    `postgres` is the benchmark database's own backends when `postgres_backends` is given (the
    server is shared with whatever else runs here), else every postgres process. `redis` is the
    whole redis-server (shared too; its share is small).
    """
    capacity = after.total - before.total
    if capacity <= 0:
        return {}

    app = _descendants(after.procs, app_roots) | _descendants(before.procs, app_roots)
    by_name = {
        name: {pid for pid, p in after.procs.items() if p.comm.startswith(prefix)} - app
        for name, prefix in (("postgres", "postgres"), ("redis", "redis-server"))
    }
    if postgres_backends is not None:
        by_name["postgres"] &= postgres_backends
    shares = {
        "app": _ticks(before, after, app) + round(app_extra_s * _TICKS),
        "wrk": round(wrk_cpu_s * _TICKS),
        **{name: _ticks(before, after, pids) for name, pids in by_name.items()},
    }
    busy = after.busy - before.busy
    shares["other"] = max(0, busy - sum(shares.values()))
    result = {name: round(100 * spent / capacity, 1) for name, spent in shares.items()}
    result["idle"] = round(100 * (capacity - busy) / capacity, 1)
    return result


def brief(shares: dict[str, float]) -> str:
    """`app 45 wrk 30 pg 15 redis 2 other 8` (percent of the machine; the rest is idle)."""
    if not shares:
        return ""
    names = {"app": "app", "wrk": "wrk", "postgres": "pg", "redis": "redis", "other": "other"}
    return " ".join(f"{short} {shares.get(name, 0):.0f}" for name, short in names.items())


def tree_seconds(before: Sample, after: Sample, roots: list[int]) -> float:
    """CPU seconds the process trees under `roots` spent between two samples."""
    pids = _descendants(after.procs, roots) | _descendants(before.procs, roots)
    return _ticks(before, after, pids) / _TICKS
