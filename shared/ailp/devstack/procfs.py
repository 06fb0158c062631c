"""What the dev stack reads from ``/proc`` (Linux): a process's start time (so a recycled PID is
never mistaken for ours), the members of a process group, a process's children, and the CPU time
of a process and of the whole machine (what the benchmark's CPU breakdown is made of)."""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
# /proc/<pid>/stat and /proc/stat count in the same unit, USER_HZ clock ticks.
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def _fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state is [0], ppid [1], pgrp [2],
    start time [19]); the name is in parentheses and may contain spaces."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except (OSError, ValueError):
        return None
    return stat[stat.rfind(")") + 2 :].split()


def start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot; None when it does not exist (or is a
    zombie: it has exited, its parent has not collected it yet)."""
    fields = _fields(pid)
    if fields is None or fields[0] == "Z":
        return None
    return fields[19]


def cpu_time(pid: int) -> float | None:
    """Seconds of CPU (user + system, all its threads, not its children) process `pid` has used;
    None when it does not exist."""
    fields = _fields(pid)
    if fields is None:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND


def machine_cpu_time() -> tuple[float, float]:
    """(busy, total) CPU seconds of all cores since boot (idle and I/O wait are not busy)."""
    values = [int(v) for v in (PROC / "stat").read_text().splitlines()[0].split()[1:]]
    total = sum(values[:8])
    return (total - values[3] - values[4]) / TICKS_PER_SECOND, total / TICKS_PER_SECOND


def _all_pids() -> list[int]:
    return [int(entry.name) for entry in PROC.iterdir() if entry.name.isdigit()]


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) members of process group `pgid`."""
    members = []
    for pid in _all_pids():
        fields = _fields(pid)
        if fields is not None and fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(pid)
    return members


def child_pids(pid: int) -> list[int]:
    """Direct children of `pid`, e.g. a Celery prefork pool's processes."""
    children = []
    for candidate in _all_pids():
        fields = _fields(candidate)
        if fields is not None and int(fields[1]) == pid:
            children.append(candidate)
    return children
