"""The machine, the versions, the one table, and the JSON file."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson
import redis

from bench import wrk
from bench.load import ScenarioResult
from bench.seed import cursor_for

PACKAGES = (
    "uvicorn",
    "uvloop",
    "httptools",
    "fastapi",
    "starlette",
    "pydantic",
    "asyncpg",
    "redis",
    "celery",
    "kombu",
    "sqlalchemy",
    "psycopg2-binary",
    "psycopg2",
    "structlog",
    "orjson",
)

# Gateway scenario → (its ceiling, minimum share of the ceiling's req/s, p99 limit in ms).
TARGETS: dict[str, tuple[str, float, float]] = {
    "gateway_get_job": ("ceiling_select", 0.60, 100.0),
    "gateway_get_learner": ("ceiling_select", 0.60, 100.0),
    "gateway_submit": ("ceiling_insert", 0.40, 200.0),
}
ANALYTICS_TARGET_JOBS_PER_S = 100.0


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        memory = Path("/proc/meminfo").read_text().splitlines()[0].split(":", 1)[1].strip()
    except (OSError, IndexError):
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory": memory,
        "kernel": platform.release(),
        "loadavg": list(os.getloadavg()),
    }


def versions(database_url: str, redis_url: str) -> dict[str, Any]:
    found: dict[str, Any] = {"python": platform.python_version(), "wrk": wrk.version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    with cursor_for(database_url) as cursor:
        cursor.execute("SHOW server_version")
        found["postgresql"] = cursor.fetchone()[0]
    client = redis.Redis.from_url(redis_url)
    try:
        found["redis-server"] = client.info("server").get("redis_version")
    finally:
        client.close()
    found["git"] = _git_revision()
    return found


def _git_revision() -> str:
    try:
        revision = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{revision}{' (uncommitted changes)' if dirty else ''}"


NOISY_OTHER_PERCENT = 20.0


@dataclass
class Row:
    scenario: str
    rps: str = ""
    p50: str = ""
    p99: str = ""
    errors: str = ""
    ratio: str = ""
    cpu_ms: str = ""
    cpu_ratio: str = ""
    target: str = ""
    verdict: str = ""
    cpu: str = ""


HEADERS = Row(
    scenario="scenario",
    rps="req/s",
    p50="p50 ms",
    p99="p99 ms",
    errors="errors",
    ratio="ratio",
    cpu_ms="app CPU ms/req",
    cpu_ratio="ratio by CPU",
    target="target",
    verdict="result",
    cpu="CPU% app/wrk/pg/other",
)
LEGEND = """\
ratio: req/s ÷ the ceiling's (what the targets use). ratio by CPU: the ceiling's CPU per request
÷ this row's, counting the app, wrk, the benchmark database's backends and Redis: the req/s ratio
to expect on a quiet machine. CPU%: share of all cores during the measured run; other = processes
outside the benchmark; (noisy) = other above 20%, so req/s and p99 there say more about the
machine than about the code."""
RIGHT = {"rps", "p50", "p99", "errors", "ratio", "cpu_ms", "cpu_ratio", "cpu"}


def evaluate(
    results: dict[str, ScenarioResult],
    lost: dict[str, Any] | None,
    analytics: dict[str, Any] | None,
) -> tuple[list[Row], list[dict[str, Any]]]:
    """The table rows, and the same verdicts as data for the JSON file.

    The verdicts use the req/s ratio as the targets define it. "ratio by CPU" (the ceiling's CPU
    per request over the gateway's, counting the app, wrk, the database backends and Redis) is
    printed beside it because, on a shared machine, req/s follows whatever share of the cores
    the run happened to get, while CPU per request does not: it estimates the req/s ratio the
    same run would show on a quiet machine.
    A row whose run (or its ceiling's) saw other processes take over 20% of the CPU is "noisy".
    """
    rows: list[Row] = []
    verdicts: list[dict[str, Any]] = []
    for key, scenario in results.items():
        r = scenario.result
        errors = r.errors
        row = Row(
            scenario=scenario.label,
            rps=f"{r.rps:,.0f}",
            p50=f"{r.p50_ms:.2f}",
            p99=f"{r.p99_ms:.2f}",
            errors=_errors_text(scenario),
            cpu_ms=_maybe(scenario.app_cpu_ms, 3),
            verdict="FLAG: errors" if errors else "",
            cpu=cpu_columns(scenario.cpu),
        )
        if key in TARGETS:
            ceiling_key, share, p99_limit = TARGETS[key]
            ceiling = results.get(ceiling_key)
            ratio = r.rps / ceiling.result.rps if ceiling and ceiling.result.rps else None
            cpu_ratio = (
                ceiling.total_cpu_ms / scenario.total_cpu_ms
                if ceiling and ceiling.total_cpu_ms and scenario.total_cpu_ms
                else None
            )
            passed = (
                ratio is not None
                and ratio >= share
                and r.p99_ms < p99_limit
                and errors == 0
                and (ceiling.result.errors == 0 if ceiling else False)
            )
            noisy = _noisy(scenario) or (ceiling is not None and _noisy(ceiling))
            row.ratio = f"{ratio:.0%}" if ratio is not None else "n/a"
            row.cpu_ratio = f"{cpu_ratio:.0%}" if cpu_ratio is not None else ""
            row.target = f"≥{share:.0%}, p99<{p99_limit:g}ms"
            row.verdict = ("PASS" if passed else "FAIL") + (
                " (errors)" if errors else " (noisy)" if noisy else ""
            )
            verdicts.append(
                {
                    "check": key,
                    "ratio": round(ratio, 4) if ratio is not None else None,
                    "ratio_by_cpu": round(cpu_ratio, 4) if cpu_ratio is not None else None,
                    "min_ratio": share,
                    "p99_ms": r.p99_ms,
                    "max_p99_ms": p99_limit,
                    "errors": errors,
                    "noisy": noisy,
                    "pass": passed,
                }
            )
        elif _noisy(scenario) and not errors:
            row.verdict = "(noisy)"
        rows.append(row)
    if lost is not None:
        passed = lost["lost"] == 0
        rows.append(
            Row(
                scenario="accepted jobs lost",
                ratio=f"{lost['lost']} of {lost['accepted']:,}",
                target="0",
                verdict="PASS" if passed else "FAIL",
            )
        )
        verdicts.append({"check": "zero_lost", "lost": lost["lost"], "pass": passed})
    if analytics is not None:
        rows.extend(_analytics_rows(analytics, verdicts))
    return rows, verdicts


def _analytics_rows(analytics: dict[str, Any], verdicts: list[dict[str, Any]]) -> list[Row]:
    rate = analytics.get("jobs_per_s") or 0.0
    failed = analytics["statuses"].get("failed", 0)
    unfinished = analytics["jobs"] - sum(
        n for status, n in analytics["statuses"].items() if status in ("succeeded", "failed")
    )
    passed = rate >= ANALYTICS_TARGET_JOBS_PER_S and not analytics["timed_out"] and not failed
    shares = analytics.get("cpu_share_percent") or {}
    noisy = shares.get("other", 0) > NOISY_OTHER_PERCENT
    verdicts.append(
        {"check": "analytics_jobs_per_s", "jobs_per_s": rate, "noisy": noisy, "pass": passed}
    )
    return [
        Row(
            scenario=f"analytics e2e, 1 worker ({analytics['jobs']:,} jobs; p50/p99 = job run)",
            rps=f"{rate:,.1f} jobs/s",
            p50=_maybe(analytics.get("job_run_ms_p50")),
            p99=_maybe(analytics.get("job_run_ms_p99")),
            errors=str(failed + unfinished),
            cpu_ms=_maybe(analytics.get("worker_cpu_ms_per_job"), 3),
            target=f"≥{ANALYTICS_TARGET_JOBS_PER_S:g} jobs/s",
            verdict=("PASS" if passed else "FAIL")
            + (" (timed out)" if analytics["timed_out"] else " (noisy)" if noisy else ""),
            cpu=cpu_columns(shares),
        ),
        Row(
            scenario="  same, wall clock incl. worker start-up",
            rps=f"{analytics.get('wall_jobs_per_s') or 0:,.1f} jobs/s",
            target="(info)",
        ),
    ]


def _noisy(scenario: ScenarioResult) -> bool:
    return scenario.cpu.get("other", 0) > NOISY_OTHER_PERCENT


def _maybe(value: float | None, digits: int = 2) -> str:
    return f"{value:.{digits}f}" if value is not None else ""


def _errors_text(scenario: ScenarioResult) -> str:
    r = scenario.result
    parts = []
    if r.non_2xx:
        parts.append(f"{r.non_2xx} non-2xx")
    socket = {k: v for k, v in r.socket_errors.items() if v}
    if socket:
        parts.append("socket " + ",".join(f"{k}={v}" for k, v in socket.items()))
    return "; ".join(parts) or "0"


def cpu_columns(shares: dict[str, float]) -> str:
    """app/wrk/pg/other shares of the machine's CPU, in percent."""
    if not shares:
        return ""
    return "/".join(f"{shares.get(k, 0):.0f}" for k in ("app", "wrk", "postgres", "other"))


def render(rows: list[Row]) -> str:
    table = [HEADERS, *rows]
    fields = list(HEADERS.__dataclass_fields__)
    widths = {f: max(len(getattr(row, f)) for row in table) for f in fields}

    def line(row: Row) -> str:
        cells = []
        for f in fields:
            value = getattr(row, f)
            cells.append(value.rjust(widths[f]) if f in RIGHT else value.ljust(widths[f]))
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * widths[f] for f in fields)
    return "\n".join([line(HEADERS), rule, *(line(row) for row in rows)])


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS))


def echo(message: str = "") -> None:
    print(message, file=sys.stderr, flush=True)
