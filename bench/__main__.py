"""`python -m bench`: run every part once, print one table, write bench-results/<ts>.json.

It starts everything it measures and stops it again, even on failure or Ctrl-C: throw-away
migrated databases (one for the HTTP and analytics phases, one for content generation, one for
the learner model), one empty Redis database number (the first free of 10, 9, 8, ... or
BENCH_REDIS_DB; emptied between parts and flushed afterwards), the gateway, the two ceiling apps,
content workers with the loopback model server, and analytics workers. Only PostgreSQL and Redis
themselves must be running (`deploy/scripts/bench.sh` makes sure of that).

Parts (`--only`, comma-separated; default all): http (or single HTTP scenario keys), analytics,
limits, budget (alias: content), learner-big, learner-growth, learner-batch (alias:
learner-model), learner-model-fit; growth only when asked for (`--only growth`: 30 M rows
seeded, ~30 minutes).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from ailp.config import Settings
from bench import analytics, content, cpu, fit, growth, learner, load, parts, profile, report
from bench.apps import CREATE_CEILING_TABLE
from bench.report import echo
from bench.seed import create_users, cursor_for
from bench.servers import Servers, claim_redis_db
from tests.support.database import create_database, drop_database, flush_redis, server_url

REPO_ROOT = Path(__file__).resolve().parents[1]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    # Whole seconds: wrk's -d takes no fractions.
    parser.add_argument("--duration", type=int, default=10, help="seconds measured per scenario")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per scenario")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--users", type=int, default=256, help="users (one learner each) the load cycles through"
    )
    parser.add_argument(
        "--learners", type=int, default=1000, help="analytics learners (one job each)"
    )
    parser.add_argument(
        "--sessions", type=int, default=100, help="study sessions per analytics learner"
    )
    parser.add_argument(
        "--responses", type=int, default=20, help="exercise answers per analytics learner"
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated parts and/or HTTP scenario keys (default: all): http, analytics,\n"
        "limits, budget, content (= limits,budget), learner-big, learner-growth,\n"
        "learner-batch, learner-model (= the three learner parts), learner-model-fit,\n"
        "or e.g. gateway_submit",
    )
    parser.add_argument("--skip-http", action="store_true", help="leave out the HTTP scenarios")
    parser.add_argument(
        "--skip-analytics", action="store_true", help="leave out the analytics end-to-end phase"
    )
    group = parser.add_argument_group("content generation (limits, budget)")
    group.add_argument("--rpm", type=int, default=600, help="OPENAI_RPM_LIMIT for `limits`")
    group.add_argument("--model-delay", type=float, default=0.3, help="model answer time, s")
    group.add_argument(
        "--content-jobs",
        type=int,
        default=2000,
        help="jobs queued at once per `limits` phase (more than the RPM limit lets through\n"
        "in the phase, so demand never runs out)",
    )
    group.add_argument(
        "--content-phase",
        type=float,
        default=150,
        help="seconds per `limits` phase; utilisation is judged on the full 60 s windows\n"
        "starting 60 s or more in, so at least 120",
    )
    group.add_argument("--replicas", default="1,2", help="content-worker replicas per phase")
    group.add_argument("--budget-usd", type=float, default=0.10, help="daily budget, USD")
    group.add_argument("--budget-jobs", type=int, default=60, help="jobs submitted at once")
    group = parser.add_argument_group("learner model (learner-big, learner-growth, learner-batch)")
    group.add_argument("--big-responses", type=int, default=100_000)
    group.add_argument("--big-sessions", type=int, default=10_000)
    group.add_argument("--big-concepts", type=int, default=300)
    group.add_argument(
        "--growth", default="100,1000,10000", help="answers per learner, comma-separated"
    )
    group.add_argument("--batch-learners", type=int, default=10_000)
    group.add_argument("--batch-responses", type=int, default=100)
    group.add_argument(
        "--batch-timeout",
        type=float,
        default=120,
        help="stop the batch after this many seconds (the rate is then over the jobs done)",
    )
    parser.add_argument(
        "--growth-scale",
        type=float,
        default=1.0,
        help="`growth`: fraction of the grown sizes (1 = 100,000 users, 10 M jobs, ...)",
    )
    parser.add_argument(
        "--growth-rounds",
        type=int,
        default=2,
        help="`growth`: runs of each scenario per database (the best one counts)",
    )
    parser.add_argument("--results-dir", type=Path, default=REPO_ROOT / "bench-results")
    parser.add_argument("--keep-logs", action="store_true", help="keep the services' logs")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--profile",
        default="",
        help="comma-separated scenario keys (or analytics, limits, learner-big, learner-batch)\n"
        "to sample with py-spy during the measurement; prints the top functions (figures\n"
        "of a profiled run are a bit lower)",
    )
    return parser.parse_args(argv)


def _indented(message: str) -> None:
    """A part's progress line, beneath its `==>` heading."""
    echo(f"    {message}")


def _terminate(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    started = datetime.now(UTC)
    clock = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="ailp-bench-"))
    keep_workdir = args.keep_logs or bool(args.profile)
    cleanup = ExitStack()
    try:
        rc, hard_failure = _run(args, started, clock, workdir, cleanup)
        keep_workdir = keep_workdir or hard_failure
        return rc
    except KeyboardInterrupt:
        keep_workdir = True
        echo("==> interrupted")
        return 130
    except BaseException:
        keep_workdir = True
        raise
    finally:
        # A second Ctrl-C must not leave processes or the database behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        echo("==> cleaning up (processes, database, Redis db)")
        cleanup.close()
        if keep_workdir:
            echo(f"    logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


PROFILE_PARTS = {"analytics", parts.LIMITS, parts.LEARNER_BIG, parts.LEARNER_BATCH}


def _run(
    args: argparse.Namespace, started: datetime, clock: float, workdir: Path, cleanup: ExitStack
) -> tuple[int, bool]:
    """Run everything; return the exit code and whether something broke (errors, lost jobs)."""
    try:
        selection = parts.select(
            args.only,
            load.SCENARIO_KEYS,
            skip_http=args.skip_http,
            skip_analytics=args.skip_analytics,
        )
    except ValueError as exc:
        raise SystemExit(str(exc)) from exc
    profiled = {key for key in args.profile.split(",") if key}
    unknown = profiled - set(load.SCENARIO_KEYS) - PROFILE_PARTS
    if unknown:
        raise SystemExit(
            f"cannot profile {', '.join(sorted(unknown))}; known: "
            f"{', '.join([*load.SCENARIO_KEYS, *sorted(PROFILE_PARTS)])}"
        )
    settings_box = load.LoadSettings(
        duration_s=args.duration,
        warmup_s=args.warmup,
        connections=args.connections,
        threads=args.threads,
    )
    machine = report.machine()
    echo(f"==> machine: {machine['nproc']} cores, {machine['cpu']}, load {machine['loadavg']}")
    echo(
        "==> parts: "
        + ", ".join(part for part in (*parts.PARTS, *parts.OPT_IN_PARTS) if part in selection)
    )

    broker_url = claim_redis_db()
    cleanup.callback(flush_redis, broker_url)
    jwt_secret = secrets.token_urlsafe(48)
    main_part = parts.HTTP in selection or parts.ANALYTICS in selection
    database_url = None
    if main_part:
        database_url = create_database("ailp_bench")
        cleanup.callback(drop_database, database_url)
        with cursor_for(database_url) as cursor:
            cursor.execute(CREATE_CEILING_TABLE)
    versions = report.versions(database_url or server_url(), broker_url)
    echo("==> versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))

    results: dict[str, load.ScenarioResult] = {}
    profiles: dict[str, Any] = {}
    lost: dict[str, Any] | None = None
    analytics_result: dict[str, Any] | None = None
    gateway_env: dict[str, str] = {}
    access_lines = None
    if main_part:
        assert database_url is not None
        servers = Servers(database_url, broker_url, workdir, jwt_secret)
        cleanup.callback(servers.stop)
        echo(f"==> starting gateway and ceilings (logs: {workdir})")
        servers.start_http()
        settings = Settings(jwt_secret=SecretStr(jwt_secret))
        users = create_users(database_url, settings, args.users)
        if parts.HTTP in selection:
            results, lost = _http_phase(
                args,
                selection,
                servers,
                users,
                settings_box,
                workdir,
                database_url,
                broker_url,
                profiled,
                profiles,
            )
        if parts.ANALYTICS in selection:
            echo("==> analytics end to end")
            analytics_result = analytics.run(
                servers,
                users,
                learners=args.learners,
                sessions=args.sessions,
                responses=args.responses,
                timeout_s=max(120.0, args.learners / 10),
                log=_indented,
                profile_to=workdir / "analytics.pyspy.txt" if "analytics" in profiled else None,
            )
            echo(
                f"    {analytics_result['jobs_per_s']} jobs/s over {analytics_result['span_s']}s "
                f"(wall clock {analytics_result['wall_jobs_per_s']} jobs/s), "
                f"statuses {analytics_result['statuses']}"
            )
            if "analytics" in profiled:
                _collect_profile(
                    profiles,
                    "analytics",
                    "analytics worker",
                    workdir / "analytics.pyspy.txt",
                    pool_marker="Worker.workloop",
                )
        gateway_env = {k: v for k, v in servers.stack["gateway"].env.items() if k in _REPORTED_ENV}
        access_lines = _count_lines(servers.stack["gateway"].log_path, b'"gateway.access"')
        servers.stop()

    content_result: dict[str, Any] | None = None
    if selection.parts & parts.CONTENT_PARTS:
        echo("==> content generation within the model limits and the budget")
        content_result = content.run(
            selection,
            jwt_secret=jwt_secret,
            redis_url=broker_url,
            workdir=workdir / "content",
            cleanup=cleanup,
            log=_indented,
            settings=content.ContentSettings(
                rpm=args.rpm,
                model_delay_s=args.model_delay,
                jobs=args.content_jobs,
                phase_s=args.content_phase,
                replicas=tuple(int(n) for n in args.replicas.split(",") if n.strip()),
                budget_usd=args.budget_usd,
                budget_jobs=args.budget_jobs,
            ),
            profile=profiled,
        )
        if parts.LIMITS in profiled:
            _collect_profile(
                profiles,
                parts.LIMITS,
                "content worker (1 replica)",
                workdir / "content" / "limits_1.pyspy.txt",
            )

    learner_result: dict[str, Any] | None = None
    if selection.parts & parts.LEARNER_PARTS:
        echo("==> the learner model at scale")
        learner_result = learner.run(
            selection,
            jwt_secret=jwt_secret,
            redis_url=broker_url,
            workdir=workdir / "learner",
            cleanup=cleanup,
            log=_indented,
            settings=learner.LearnerSettings(
                big_sessions=args.big_sessions,
                big_responses=args.big_responses,
                big_concepts=args.big_concepts,
                growth_sizes=tuple(int(n) for n in args.growth.split(",") if n.strip()),
                batch_learners=args.batch_learners,
                batch_responses=args.batch_responses,
                batch_timeout_s=args.batch_timeout,
            ),
            profile=profiled,
        )
        for key, label in ((parts.LEARNER_BIG, "cold job"), (parts.LEARNER_BATCH, "batch")):
            if key in profiled:
                _collect_profile(
                    profiles,
                    key,
                    f"analytics worker, {label}",
                    workdir / "learner" / f"{key}.pyspy.txt",
                    pool_marker="Worker.workloop",
                )

    fit_result: dict[str, Any] | None = None
    if parts.LEARNER_FIT in selection:
        echo("==> the learner-model fit on real answers")
        fit_result = fit.run(workdir=workdir / "fit", cleanup=cleanup, log=_indented)
    growth_result: dict[str, Any] | None = None
    if parts.GROWTH in selection:
        echo("==> growth: the hot paths on an empty and on a grown database")
        growth_result = growth.run(
            jwt_secret=jwt_secret,
            redis_url=broker_url,
            workdir=workdir / "growth",
            cleanup=cleanup,
            load_settings=settings_box,
            users_count=args.users,
            log=_indented,
            sizes=growth.Sizes().scaled(args.growth_scale),
            rounds=args.growth_rounds,
        )

    rows, verdicts = report.evaluate(
        results,
        lost,
        analytics_result,
        content=content_result,
        learner=learner_result,
        fit=fit_result,
    )
    elapsed = time.monotonic() - clock
    machine["loadavg_end"] = list(os.getloadavg())

    print()
    print(
        f"ailp benchmark — {started:%Y-%m-%d %H:%M} UTC — {machine['nproc']} cores "
        f"({machine['cpu']}), load generator on the same cores — "
        f"wrk -t{args.threads} -c{args.connections}, {args.warmup:g}s warm-up + "
        f"{args.duration:g}s per scenario"
    )
    if content_result is not None and parts.LIMITS in selection:
        print(
            f"content limits: {args.content_jobs:,} jobs queued at once per replica count (more "
            f"than {args.rpm} RPM lets through in the phase, so demand never runs out), "
            f"{args.content_phase:g}s per phase; sustained utilisation and jobs/s are over the "
            f"full 60 s windows starting ≥60s in (the first 60 s hold the start-up burst)"
        )
    print(report.render(rows))
    print(report.LEGEND)
    history = report.render_growth(learner_result)
    if history:
        print()
        print(history)
    if growth_result is not None:
        print()
        print(growth.render(growth_result))
        verdicts = [*verdicts, *growth_result["verdicts"]]
    passed = all(v["pass"] for v in verdicts)
    print(
        f"\n{'all targets met' if passed else 'TARGETS MISSED'} · took {elapsed:.0f}s · "
        f"load average {machine['loadavg'][0]:.2f} → {machine['loadavg_end'][0]:.2f}"
    )

    path = args.results_dir / f"{started:%Y%m%dT%H%M%SZ}.json"
    report.write_json(
        path,
        {
            "started_at": started.isoformat(),
            "elapsed_s": round(elapsed, 1),
            "machine": machine,
            "versions": versions,
            "settings": {
                **vars(args),
                "results_dir": str(args.results_dir),
                "parts": sorted(selection.parts),
                "gateway_env": gateway_env or None,
            },
            "scenarios": {key: result.as_dict() for key, result in results.items()},
            "profiles": profiles or None,
            "accepted_jobs": lost,
            "analytics": analytics_result,
            "content": content_result,
            "learner_model": learner_result,
            "learner_model_fit": fit_result,
            "growth": growth_result,
            "gateway_access_log_lines": access_lines,
            "verdicts": verdicts,
            "table": [row.__dict__ for row in rows],
        },
    )
    shown = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
    print(f"figures written to {shown}")
    hard_failure = _hard_failure(results, lost, analytics_result, content_result, learner_result)
    if hard_failure:
        print(f"errors, lost jobs or unfinished jobs: the services' logs stay in {workdir}")
    return (1 if args.check and not passed else 0), hard_failure


def _http_phase(
    args: argparse.Namespace,
    selection: parts.Selection,
    servers: Servers,
    users: list[Any],
    settings_box: load.LoadSettings,
    workdir: Path,
    database_url: str,
    broker_url: str,
    profiled: set[str],
    profiles: dict[str, Any],
) -> tuple[dict[str, load.ScenarioResult], dict[str, Any] | None]:
    results: dict[str, load.ScenarioResult] = {}
    lost: dict[str, Any] | None = None
    read_jobs = load.create_read_jobs(servers.gateway_url, users)
    plan = load.scenarios(servers=servers, users=users, read_jobs=read_jobs)
    assert tuple(scenario.key for scenario in plan) == load.SCENARIO_KEYS
    for scenario in plan:
        if scenario.key not in selection.scenarios:
            continue
        echo(f"==> {scenario.label}: {args.warmup:g}s warm-up + {args.duration:g}s")
        collapsed = workdir / f"{scenario.key}.pyspy.txt"
        result = load.run_scenario(
            scenario,
            settings_box,
            workdir,
            database_url,
            profile_to=collapsed if scenario.key in profiled else None,
        )
        results[scenario.key] = result
        if scenario.key in profiled:
            result.label += " [py-spy]"
            _collect_profile(profiles, scenario.key, scenario.label, collapsed)
        r = result.result
        echo(
            f"    {r.rps:,.0f} req/s  p50 {r.p50_ms:.2f} ms  p99 {r.p99_ms:.2f} ms  "
            f"errors {r.errors}"
            + (f"  statuses {result.statuses}" if result.statuses else "")
            + f"\n    CPU % of machine: {cpu.brief(result.cpu)}"
        )
    servers.stop_ceilings()
    if "gateway_submit" in selection.scenarios:
        accepted = set(read_jobs.values())
        if "gateway_submit" in results:
            accepted |= results["gateway_submit"].accepted_ids
        lost = load.check_accepted(database_url, broker_url, accepted)
        lost["publish_failed_logged"] = _count_lines(
            servers.stack["gateway"].log_path, b"job_publish_failed"
        )
        echo(
            f"==> accepted jobs: {lost['accepted']:,} answered 202 · {lost['rows']:,} rows · "
            f"{lost['messages']:,} messages in the broker · lost {lost['lost']} · "
            f"rows without a message {lost['rows_without_message']} · "
            f"in flight when wrk stopped {lost['in_flight_at_stop']}"
        )
    return results, lost


def _collect_profile(
    profiles: dict[str, Any],
    key: str,
    label: str,
    collapsed: Path,
    *,
    pool_marker: str | None = None,
) -> None:
    """Summarise py-spy's collapsed stacks (if it wrote any) into `profiles[key]` and print them."""
    if not collapsed.exists():
        return
    summary = profile.summarise(collapsed, pool_marker=pool_marker)
    profiles[key] = summary
    _print_profile(label, summary, collapsed)


def _print_profile(label: str, summary: dict[str, Any], collapsed: Path) -> None:
    if not summary.get("inclusive"):
        echo(f"==> {label}: no py-spy samples (see {collapsed})")
        return
    main_share = summary.get("main_process_share")
    echo(
        f"==> {label}: py-spy profile, {summary['samples']} samples"
        + (
            f"; Celery's main process took {main_share:.0%}, shares below are of the pool's"
            if main_share is not None
            else ""
        )
    )
    echo("    inclusive:")
    for name, share in summary["inclusive"]:
        echo(f"    {share:6.1%}  {name}")
    echo("    innermost frame:")
    for name, share in summary["self"][:12]:
        echo(f"    {share:6.1%}  {name}")
    echo(f"    collapsed stacks (kept): {collapsed}")


def _hard_failure(
    results: dict[str, load.ScenarioResult],
    lost: dict[str, Any] | None,
    analytics_result: dict[str, Any] | None,
    content_result: dict[str, Any] | None = None,
    learner_result: dict[str, Any] | None = None,
) -> bool:
    """Errors, lost jobs or unfinished jobs: not slowness, something to look at in the logs."""
    if any(result.result.errors for result in results.values()):
        return True
    if lost and (lost["lost"] or lost["rows_without_message"]):
        return True
    if analytics_result and (
        analytics_result["timed_out"] or analytics_result["statuses"].get("failed")
    ):
        return True
    return report.part_failures(content_result, learner_result) > 0


_REPORTED_ENV = {
    "WEB_CONCURRENCY",
    "ANALYTICS_WORKER_CONCURRENCY",
    "DB_POOL_SIZE",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "JOB_SUBMISSIONS_PER_MINUTE",
    "MAX_QUEUED_JOBS_PER_USER",
    "JOB_LEASE_SECONDS",
    "JOB_HEARTBEAT_SECONDS",
    "ENVIRONMENT",
}


def _count_lines(path: Path, needle: bytes) -> int:
    try:
        with path.open("rb") as handle:
            return sum(1 for line in handle if needle in line)
    except OSError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
