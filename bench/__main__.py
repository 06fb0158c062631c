"""`python -m bench`: run every part once, print one table, write bench-results/<ts>.json.

It starts what it measures on the test kit's throw-away stacks plus two ceiling apps, on an empty
Redis database of its own (the first of 10, 9, 8, ... or BENCH_REDIS_DB), and stops them again,
even on failure or Ctrl-C. Only PostgreSQL and Redis must be running (docs/benchmarks.md)."""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson
import redis

from bench import content, growth, kit, learner, load, report
from tests.support.database import flush_redis, server_url
from tests.support.processes import REPO_ROOT

PACKAGES = "uvicorn uvloop httptools fastapi starlette pydantic asyncpg redis celery kombu"
PACKAGES += " sqlalchemy psycopg2-binary psycopg2 structlog orjson"
PROFILE_PARTS = ("analytics", kit.LIMITS, kit.LEARNER_BIG, kit.LEARNER_BATCH)
# The options, by group: "--option type default help" lines (help goes on in indented lines).
OPTIONS = """selection and output
--only str - comma-separated parts and/or HTTP scenario keys (default: all but growth): http,
    analytics, limits, budget, content (= limits,budget), learner-big, learner-growth, learner-batch,
    learner-model (= the three learner parts), learner-model-fit, growth, or e.g. gateway_submit
--profile str - comma-separated scenario keys (or analytics, limits, learner-big,
    learner-batch) to sample with py-spy; prints the top functions
--results-dir path bench-results where the JSON file goes
--keep-logs flag - keep the services' logs
--check flag - exit 1 when a target is missed
load (http, analytics, growth)
--duration int 10 seconds measured per scenario (whole seconds)
--warmup int 2 seconds of warm-up per scenario
--connections int 64 wrk connections
--threads int 2 wrk threads
--users int 256 users (one learner each) the load cycles through
--learners int 1000 analytics learners (one job each)
--sessions int 100 study sessions per analytics learner
--responses int 20 exercise answers per analytics learner
content generation (limits, budget)
--rpm int 600 OPENAI_RPM_LIMIT for `limits`
--model-delay float 0.3 model answer time, s
--content-jobs int 2000 jobs queued at once per `limits` phase (more than the limit lets through)
--content-phase float 150 seconds per `limits` phase; utilisation is judged on the full 60 s
    windows starting 60 s or more in, so at least 120
--replicas str 1,2 content-worker replicas per phase
--budget-usd float 0.10 daily budget, USD
--budget-jobs int 60 jobs submitted at once
learner model (learner-big, learner-growth, learner-batch)
--big-responses int 100000 answers of the big learner
--big-sessions int 10000 study sessions of the big learner
--big-concepts int 300 concepts of the big learner
--growth str 100,1000,10000 answers per learner, comma-separated
--batch-learners int 10000 learners recomputed in the batch
--batch-responses int 100 answers per batch learner
--batch-timeout float 120 stop the batch after this many seconds (rate over the jobs done)
growth
--growth-scale float 1.0 fraction of the grown sizes (1 = 100,000 users, 10 M jobs, ...)
--growth-rounds int 2 runs of each scenario per database (the best one counts)"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    formatter = argparse.RawTextHelpFormatter
    parser = argparse.ArgumentParser(
        "python -m bench", description=__doc__, formatter_class=formatter
    )
    types = {"int": int, "float": float, "str": str, "path": Path}
    for entry in re.split(r"\n(?! )", OPTIONS):  # indented lines go on with the help
        if not entry.startswith("--"):
            group = parser.add_argument_group(entry)
            continue
        name, kind, default, text = entry.replace("\n    ", "\n").split(" ", 3)
        if kind == "flag":
            group.add_argument(name, action="store_true", help=text)
            continue
        value = REPO_ROOT / default if kind == "path" else "" if default == "-" else default
        help_text = text + f" ({default})" * (default != "-")
        group.add_argument(name, type=types[kind], default=value, help=help_text)
    return parser.parse_args(argv)


def provenance(redis_url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The machine, and the versions of everything measured."""
    cpu = [ln for ln in Path("/proc/cpuinfo").read_text().split("\n") if "model name" in ln]
    host = {"nproc": os.cpu_count(), "cpu": cpu[0].partition(":")[2].strip() if cpu else ""}

    def output(*argv: str) -> str:
        done = subprocess.run(argv, capture_output=True, text=True)
        return (done.stdout if done.returncode == 0 else "").strip()

    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True)  # its usage, exit 1
    found = {"python": platform.python_version(), "wrk": (wrk.stdout or wrk.stderr).split("\n")[0]}
    for name in PACKAGES.split():
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[name] = metadata.version(name)
    with kit.cursor_for(server_url()) as cursor, redis.Redis.from_url(redis_url) as client:
        cursor.execute("SHOW server_version")
        found["postgresql"] = cursor.fetchone()[0]
        found["redis-server"] = client.info()["redis_version"]
    dirty = " (uncommitted changes)" * bool(output("git", "status", "-s", "--untracked-files=no"))
    return host, found | {"git": (output("git", "log", "-1", "--format=%h") or "unknown") + dirty}


def _stop(signum: int, _frame: Any) -> None:
    """The first Ctrl-C or SIGTERM unwinds (stopping processes, dropping databases), ignoring more."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt if signum == signal.SIGINT else SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        selection = kit.select(args.only, load.SCENARIO_KEYS)
    except ValueError as exc:
        raise SystemExit(str(exc)) from exc
    profiled = {key for key in args.profile.split(",") if key}
    if unknown := profiled - {*load.SCENARIO_KEYS, *PROFILE_PARTS}:
        known = ", ".join([*load.SCENARIO_KEYS, *PROFILE_PARTS])
        raise SystemExit(f"cannot profile {', '.join(sorted(unknown))}; known: {known}")
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    workdir = Path(tempfile.mkdtemp(prefix="ailp-bench-"))
    ctx = kit.Run(args, selection, workdir, secrets.token_urlsafe(48), profiled)
    keep = args.keep_logs or bool(profiled)
    try:
        ctx.claim_redis_db()
        rc, broken = _run(ctx)
        keep |= broken
        return rc
    except BaseException as exc:
        keep = True
        if isinstance(exc, KeyboardInterrupt):
            kit.echo("==> interrupted")
            return 130
        raise
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if ctx.redis_db:
            flush_redis(ctx.redis_url)
        if keep:
            kit.echo(f"==> logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _run(ctx: kit.Run) -> tuple[int, bool]:
    args, selection = ctx.args, ctx.selection
    started, clock, (host, found) = datetime.now(UTC), time.monotonic(), provenance(ctx.redis_url)
    host["loadavg"] = list(os.getloadavg())
    kit.echo(f"==> {host}, {found}, parts {sorted(selection.parts)}")
    results: dict[str, Any] = {"scenarios": {}, "accepted_jobs": None, "analytics": None}
    if kit.HTTP in selection or kit.ANALYTICS in selection:
        results = load.run(ctx)
    for wanted, key, run in (
        (kit.CONTENT_PARTS, "content", content.run),
        (kit.LEARNER_PARTS, "learner_model", learner.run),
        ({kit.LEARNER_FIT}, "learner_model_fit", learner.run_fit),
        ({kit.GROWTH}, "growth", growth.run),
    ):
        if selection.parts & wanted:
            kit.echo(f"==> {(run.__doc__ or key).splitlines()[0]}")
            results[key] = run(ctx)
    parts_of = dict(content=results.get("content"), fit=results.get("learner_model_fit"))
    parts_of |= dict(learner=results.get("learner_model"))
    scenarios, lost = results.pop("scenarios"), results["accepted_jobs"]
    analytics = results["analytics"]
    rows, verdicts = report.evaluate(scenarios, lost, analytics, **parts_of)
    elapsed, host["loadavg_end"] = time.monotonic() - clock, list(os.getloadavg())
    print(
        f"\nailp benchmark — {started:%Y-%m-%d %H:%M} UTC — {host['nproc']} cores "
        f"({host['cpu']}), load generator on the same cores — wrk -t{args.threads} "
        f"-c{args.connections}, {args.warmup:g}s warm-up + {args.duration:g}s per scenario"
    )
    if "content" in results and kit.LIMITS in selection:
        print(
            f"content limits: {args.content_jobs:,} jobs queued at once per replica count at "
            f"{args.rpm} RPM, {args.content_phase:g}s per phase (the windows: docs/benchmarks.md)"
        )
    print(report.render(rows))
    print(report.LEGEND)
    if history := report.render_growth(results.get("learner_model")):
        print(f"\n{history}")
    if "growth" in results:
        print(f"\n{growth.render(results['growth'])}")
        verdicts += results["growth"]["verdicts"]
    passed = all(v["pass"] for v in verdicts)
    print(
        f"\n{'all targets met' if passed else 'TARGETS MISSED'} · took {elapsed:.0f}s · "
        f"load average {host['loadavg'][0]:.2f} → {host['loadavg_end'][0]:.2f}"
    )
    path = args.results_dir / f"{started:%Y%m%dT%H%M%SZ}.json"
    settings = vars(args) | {"results_dir": str(args.results_dir), "parts": sorted(selection.parts)}
    document = dict(started_at=started.isoformat(), elapsed_s=round(elapsed, 1), machine=host)
    document |= dict(versions=found, settings=settings, profiles=ctx.profiles or None)
    document |= dict(scenarios={key: result.as_dict() for key, result in scenarios.items()})
    document |= dict(verdicts=verdicts, table=[row.__dict__ for row in rows], **results)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS))
    shown = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
    print(f"figures written to {shown}")
    broken = (
        any(result.result.errors for result in scenarios.values())
        or bool(lost and (lost["lost"] or lost["rows_without_message"]))
        or bool(analytics and (analytics["timed_out"] or analytics["statuses"].get("failed")))
        or report.part_failures(parts_of["content"], parts_of["learner"]) > 0
    )
    if broken:
        print(f"errors, lost jobs or unfinished jobs: the services' logs stay in {ctx.workdir}")
    return (1 if args.check and not passed else 0), broken


if __name__ == "__main__":
    sys.exit(main())
