"""Run wrk and read its report (`parse`: only `--latency` runs give the percentiles). Socket
errors and non-2xx/3xx responses are kept, so a scenario with errors is flagged, not trusted."""

from __future__ import annotations

import re
import resource
import shutil
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

LUA_DIR = Path(__file__).resolve().parent / "lua"
# Time units wrk prints (units.c): microseconds up to hours.
_TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_TIME = r"([0-9.]+)(us|ms|s|m|h)"
_LATENCY_LINE = re.compile(rf"^\s*Latency\s+{_TIME}\s+{_TIME}\s+{_TIME}\s+([0-9.]+)%", re.M)
_PERCENTILE = re.compile(rf"^\s*(50|75|90|99)%\s+{_TIME}\s*$", re.M)
_TOTAL = re.compile(rf"^\s*(\d+) requests in {_TIME},", re.M)
_RPS = re.compile(r"^Requests/sec:\s+([0-9.]+)", re.M)
_SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")


SOCKET_ERRORS = ("connect", "read", "write", "timeout")


class WrkOutputError(ValueError):
    """wrk's output is not a report we understand (it failed, or its format changed)."""


@dataclass
class WrkResult:
    requests: int
    duration_s: float
    rps: float
    latency_avg_ms: float
    latency_stdev_ms: float
    latency_max_ms: float
    percentiles_ms: dict[str, float]
    socket_errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SOCKET_ERRORS, 0))
    non_2xx: int = 0

    @property
    def p50_ms(self) -> float:
        return self.percentiles_ms["50"]

    @property
    def p99_ms(self) -> float:
        return self.percentiles_ms["99"]

    @property
    def errors(self) -> int:
        return self.non_2xx + sum(self.socket_errors.values())

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "errors": self.errors}


def to_ms(value: str, unit: str) -> float:
    return float(value) * _TIME_UNITS_MS[unit]


def parse(text: str) -> WrkResult:
    """Read wrk's text report (run with `--latency`)."""
    latency, total, rps = _LATENCY_LINE.search(text), _TOTAL.search(text), _RPS.search(text)
    if not (latency and total and rps):
        raise WrkOutputError(f"not a wrk report:\n{text}")
    percentiles = {m.group(1): to_ms(m.group(2), m.group(3)) for m in _PERCENTILE.finditer(text)}
    if set(percentiles) != {"50", "75", "90", "99"}:
        raise WrkOutputError(f"no latency distribution (run wrk with --latency):\n{text}")
    avg, stdev, most = (to_ms(*latency.group(i, i + 1)) for i in (1, 3, 5))
    duration_s = to_ms(total.group(2), total.group(3)) / 1000
    result = WrkResult(
        int(total.group(1)), duration_s, float(rps.group(1)), avg, stdev, most, percentiles
    )
    if errors := _SOCKET_ERRORS.search(text):
        result.socket_errors = dict(zip(SOCKET_ERRORS, map(int, errors.groups()), strict=True))
    result.non_2xx = int(non_2xx.group(1)) if (non_2xx := _NON_2XX.search(text)) else 0
    return result


def run(
    url: str, duration_s: float, connections: int, threads: int, script: str, args: list[str]
) -> tuple[WrkResult, float]:
    """Run wrk once with a Lua script of bench/lua: its report and the CPU seconds it used."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (deploy/scripts/bench.sh installs it: apt wrk)")
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration_s:g}s", "--timeout=5s"]
    argv += ["--latency", "-s", str(LUA_DIR / script), url, "--", *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=duration_s + 35)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"wrk exited with {done.returncode}:\n{done.stdout}{done.stderr}")
    cpu_s = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return parse(done.stdout), cpu_s
