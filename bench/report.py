"""The machine, the versions, the one table (rows, targets, verdicts) and the JSON file."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass, fields
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson
import redis

from bench import wrk
from bench.seed import cursor_for
from tests.support.database import server_url

PACKAGES = (
    *("uvicorn", "uvloop", "httptools", "fastapi", "starlette", "pydantic", "asyncpg", "redis"),
    *("celery", "kombu", "sqlalchemy", "psycopg2-binary", "psycopg2", "structlog", "orjson"),
)
# Gateway scenario → (its ceiling, minimum share of the ceiling's req/s, p99 limit in ms).
TARGETS: dict[str, tuple[str, float, float]] = {
    "gateway_get_job": ("ceiling_select", 0.60, 100.0),
    "gateway_get_learner": ("ceiling_select", 0.60, 100.0),
    "gateway_submit": ("ceiling_insert", 0.40, 200.0),
}
ANALYTICS_TARGET_JOBS_PER_S = 100.0
UTILISATION_TARGET = 0.90  # of the RPM limit: model requests per 60 s once past the start-up burst
JOB_TARGET_MS = 1000.0  # one analytics job of the big learner, in the worker
BATCH_TARGET_PER_S = 200.0  # learners recomputed per second by one analytics worker
FIT_TARGET_S = 60.0
FIT_AUC_TARGET = 0.80
NOISY_OTHER_PERCENT = 20.0


def machine() -> dict[str, Any]:
    def first(path: str, prefix: str) -> str:
        lines = Path(path).read_text().splitlines() if Path(path).exists() else []
        return next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith(prefix)), "")

    return {
        "nproc": os.cpu_count(),
        "cpu": first("/proc/cpuinfo", "model name"),
        "memory": first("/proc/meminfo", "MemTotal"),
        "kernel": platform.release(),
        "loadavg": list(os.getloadavg()),
    }


def versions(redis_url: str) -> dict[str, Any]:
    found: dict[str, Any] = {"python": platform.python_version(), "wrk": wrk.version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    with cursor_for(server_url()) as cursor:
        cursor.execute("SHOW server_version")
        found["postgresql"] = cursor.fetchone()[0]
    client = redis.Redis.from_url(redis_url)
    try:
        found["redis-server"] = client.info("server").get("redis_version")
    finally:
        client.close()

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout

    try:
        dirty = git("status", "--porcelain", "--untracked-files=no").strip()
        found["git"] = git("rev-parse", "--short", "HEAD").strip()
        found["git"] += " (uncommitted changes)" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        found["git"] = "unknown"
    return found


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


def _info(scenario: str, **cells: str) -> Row:
    return Row(scenario, target="(info)", **cells)


HEADERS = Row(
    *("scenario", "req/s · figure", "p50 ms", "p99 ms", "errors", "ratio", "app CPU ms/req"),
    *("ratio by CPU", "target", "result", "CPU% app/wrk/pg/other"),
)
LEGEND = """\
ratio: req/s ÷ the ceiling's (what the targets use). ratio by CPU: the ceiling's CPU per request
÷ this row's, counting the app, wrk, the benchmark database's backends and Redis: the req/s ratio
to expect on a quiet machine. CPU%: share of all cores during the measured run; other = processes
outside the benchmark; (noisy) = other above 20%, so req/s and p99 there say more about the
machine than about the code. Content rows: the whole backlog is queued at once, so the first
60 s always hold the start-up burst (up to the limit at once) and say nothing about the rate the
limit sustains; ratio = sustained utilisation = model requests per full 60 s window, averaged
over the windows starting 60 s or more after the jobs were queued, ÷ the RPM limit (the rate the
fleet keeps up), and jobs/s = jobs finished per window over the same windows ÷ 60; the quietest
of those windows is shown beneath (how evenly the requests come: jobs that had to wait for the
limit come back together); the peak in any 60 s counts every request, start-up burst and
shutdown included. app =
the content workers, wrk = the loopback model server; errors = fallbacks and failed jobs.
Learner rows: app = the analytics worker (and, for the batch, the `ailp recompute-analytics`
command, by RUSAGE_CHILDREN); worker = started_at→finished_at, (visible) = started_at until the
bench sees the job succeeded (storing and commit included)."""
RIGHT = {"rps", "p50", "p99", "errors", "ratio", "cpu_ms", "cpu_ratio", "cpu"}


def _judge(
    verdicts: list[dict[str, Any]],
    check: str,
    passed: bool,
    shares: dict[str, float] | None = None,
    problem: str = "",
    *,
    noisy: bool | None = None,
    **figures: Any,
) -> str:
    """Record one verdict (`check`, the figures, `noisy` if given, `pass`) for the JSON and
    return its table text: PASS/FAIL, then the problem, else (noisy)."""
    verdicts.append({"check": check, **figures, **({} if noisy is None else {"noisy": noisy})})
    verdicts[-1]["pass"] = passed
    noisy = _is_noisy(shares) if noisy is None else noisy
    return ("PASS" if passed else "FAIL") + (
        f" ({problem})" if problem else " (noisy)" if noisy else ""
    )


def _is_noisy(shares: dict[str, float] | None) -> bool:
    """Processes outside the benchmark took over NOISY_OTHER_PERCENT of the machine."""
    return (shares or {}).get("other", 0) > NOISY_OTHER_PERCENT


def evaluate(
    results: dict[str, Any],
    lost: dict[str, Any] | None,
    analytics: dict[str, Any] | None,
    *,
    content: dict[str, Any] | None = None,
    learner: dict[str, Any] | None = None,
    fit: dict[str, Any] | None = None,
) -> tuple[list[Row], list[dict[str, Any]]]:
    """The table rows, and the same verdicts as data for the JSON file.

    The verdicts use the req/s ratio as the targets define it; "ratio by CPU" is printed beside
    it because, on a shared machine, req/s follows whatever share of the cores the run got,
    while CPU per request does not: it estimates the req/s ratio on a quiet machine.
    """
    verdicts: list[dict[str, Any]] = []
    rows = [_scenario_row(key, results, verdicts) for key in results]
    if lost is not None:
        verdict = _judge(verdicts, "zero_lost", lost["lost"] == 0, lost=lost["lost"])
        ratio = f"{lost['lost']} of {lost['accepted']:,}"
        rows.append(Row("accepted jobs lost", ratio=ratio, target="0", verdict=verdict))
    rows += _analytics_rows(analytics, verdicts) if analytics is not None else []
    rows += content_rows(content, verdicts) if content is not None else []
    rows += learner_rows(learner, verdicts) if learner is not None else []
    rows += fit_rows(fit, verdicts) if fit is not None else []
    return rows, verdicts


def _scenario_row(key: str, results: dict[str, Any], verdicts: list[dict[str, Any]]) -> Row:
    scenario = results[key]
    r = scenario.result
    socket = ",".join(f"{k}={v}" for k, v in r.socket_errors.items() if v)
    errors = [f"{r.non_2xx} non-2xx"] * bool(r.non_2xx) + [f"socket {socket}"] * bool(socket)
    row = Row(
        scenario=scenario.label,
        rps=f"{r.rps:,.0f}",
        p50=f"{r.p50_ms:.2f}",
        p99=f"{r.p99_ms:.2f}",
        errors="; ".join(errors) or "0",
        cpu_ms=_maybe(scenario.app_cpu_ms, 3),
        verdict="FLAG: errors" if r.errors else "(noisy)" if _is_noisy(scenario.cpu) else "",
        cpu=cpu_columns(scenario.cpu),
    )
    if key not in TARGETS:
        return row
    ceiling_key, share, p99_limit = TARGETS[key]
    ceiling = results.get(ceiling_key)
    if ceiling is None:  # Run alone (e.g. `--only gateway_get_job`): nothing to compare with.
        row.ratio, row.target = "n/a", f"(info: {ceiling_key} not run)"
        return row
    ratio = r.rps / ceiling.result.rps if ceiling.result.rps else None
    cpu_ratio = None
    if ceiling.total_cpu_ms and scenario.total_cpu_ms:
        cpu_ratio = ceiling.total_cpu_ms / scenario.total_cpu_ms
    passed = ratio is not None and ratio >= share and r.p99_ms < p99_limit
    passed = passed and r.errors == 0 and ceiling.result.errors == 0
    row.ratio, row.cpu_ratio = _percent(ratio), _percent(cpu_ratio, "")
    row.target = f"≥{share:.0%}, p99<{p99_limit:g}ms"
    row.verdict = _judge(
        verdicts,
        key,
        passed,
        problem="errors" if r.errors else "",
        noisy=_is_noisy(scenario.cpu) or _is_noisy(ceiling.cpu),
        ratio=_round(ratio, 4),
        ratio_by_cpu=_round(cpu_ratio, 4),
        min_ratio=share,
        p99_ms=r.p99_ms,
        max_p99_ms=p99_limit,
        errors=r.errors,
    )
    return row


def fit_rows(fit: dict[str, Any], verdicts: list[dict[str, Any]]) -> list[Row]:
    """`ailp learner-model fit` on 408k real answers: time, and AUC on held-out students."""
    rows = []
    for key, label in (("file", "from the DKT file"), ("platform", "from PostgreSQL")):
        if not (run := fit.get(key)):
            continue
        passed = run["command_s"] < FIT_TARGET_S and (run["auc"] or 0.0) >= FIT_AUC_TARGET
        figures = {k: run[k] for k in ("command_s", "auc", "baseline_auc")}
        rows.append(
            Row(
                scenario=f"learner-model fit {label}, {run['answers_read']:,} answers, "
                f"{run['concepts']} concepts fitted",
                rps=f"{run['command_s']:.1f} s (fit {run['fit_s']:.1f} s)",
                ratio=f"AUC {run['auc']:.3f} vs {run['baseline_auc']:.3f} defaults",
                target=f"< {FIT_TARGET_S:g} s, AUC ≥ {FIT_AUC_TARGET:g}",
                verdict=_judge(verdicts, f"learner_model_fit_{key}", passed, **figures),
            )
        )
    return rows


def _analytics_rows(analytics: dict[str, Any], verdicts: list[dict[str, Any]]) -> list[Row]:
    rate = analytics.get("jobs_per_s") or 0.0
    failed = analytics["statuses"].get("failed", 0)
    unfinished = analytics["jobs"] - analytics["statuses"].get("succeeded", 0) - failed
    passed = rate >= ANALYTICS_TARGET_JOBS_PER_S and not analytics["timed_out"] and not failed
    shares = analytics.get("cpu_share_percent") or {}
    problem = "timed out" if analytics["timed_out"] else ""
    verdict = _judge(
        verdicts,
        "analytics_jobs_per_s",
        passed,
        shares,
        problem,
        noisy=_is_noisy(shares),
        jobs_per_s=rate,
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
            verdict=verdict,
            cpu=cpu_columns(shares),
        ),
        _info(
            "  same, wall clock incl. worker start-up",
            rps=f"{analytics.get('wall_jobs_per_s') or 0:,.1f} jobs/s",
        ),
    ]


def _phase_errors(phase: dict[str, Any]) -> int:
    return int(phase["fallbacks"] + phase["statuses_at_stop"].get("failed", 0))


def _budget_unfinished(budget: dict[str, Any]) -> int:
    return int(budget["statuses"].get("failed", 0) + (budget["jobs"] - budget["finished"]))


def content_rows(content: dict[str, Any], verdicts: list[dict[str, Any]]) -> list[Row]:
    """Content generation at the RPM limit (per replica count) and under a low budget."""
    rows: list[Row] = []
    for key in sorted(k for k in content if k.startswith("limits_")):
        phase = content[key]
        limit, replicas, peak = phase["rpm_limit"], phase["replicas"], phase["peak_any_60s"]
        shares = phase.get("cpu_share_percent") or {}
        errors = _phase_errors(phase)
        # Sustained: the mean of the full 60 s windows starting 60 s or more in (see LEGEND).
        utilisation, quietest = phase.get("utilisation_mean"), phase.get("utilisation")
        util_pass = utilisation is not None and utilisation >= UTILISATION_TARGET and not errors
        problem = (
            "fallbacks"
            if errors
            else "no full 60 s window after the first: phase too short"
            if utilisation is None
            else "backlog ran out: more jobs needed"
            if not phase.get("backlog_at_stop") and not util_pass
            else ""
        )
        util_verdict = _judge(
            verdicts,
            f"content_{key}_utilisation",
            util_pass,
            shares,
            problem,
            noisy=_is_noisy(shares),
            utilisation=utilisation,
            quietest_window_utilisation=quietest,
            min_utilisation=UTILISATION_TARGET,
            jobs_per_s=phase["jobs_per_s"],
            errors=errors,
        )
        peak_verdict = _judge(
            verdicts,
            f"content_{key}_peak_60s",
            peak <= limit,
            noisy=_is_noisy(shares),
            peak=peak,
            limit=limit,
        )
        first, rate = phase.get("first_60s"), phase["jobs_per_s"]
        rows += [
            Row(
                scenario=f"content {replicas} replica{'s' if replicas > 1 else ''} @ RPM {limit} "
                f"(full 60 s windows from 60 s to {phase['phase_s']:.0f}s; p50/p99 = job run)",
                rps=f"{rate:,.1f} jobs/s" if rate is not None else "",
                p50=_maybe(phase.get("job_run_ms_p50")),
                p99=_maybe(phase.get("job_run_ms_p99")),
                errors=str(errors),
                ratio=_percent(utilisation),
                cpu_ms=_maybe(phase.get("worker_cpu_ms_per_job"), 3),
                target=f"sustained ≥{UTILISATION_TARGET:.0%}",
                verdict=util_verdict,
                cpu=cpu_columns(shares),
            ),
            Row(
                scenario="  peak model requests in any 60 s (model server)",
                ratio=f"{peak}/{limit}",
                target=f"≤{limit}",
                verdict=peak_verdict,
            ),
            _info(
                "  same windows: the quietest one (requests come in waves)",
                ratio=_percent(quietest),
            ),
            _info(
                f"  first 60 s (start-up burst); jobs/s over all {phase['phase_s']:.0f}s "
                "(bursts included)",
                rps=f"{phase['jobs_per_s_whole_phase']:,.1f} jobs/s",
                ratio=_percent(first / limit if first is not None else None),
            ),
        ]
    if (budget := content.get("budget")) is not None:
        shares = budget.get("cpu_share_percent") or {}
        failed = _budget_unfinished(budget)
        passed = budget["overshoot_usd"] <= budget["max_call_usd"] + 1e-9 and not failed
        verdict = _judge(
            verdicts,
            "content_budget_overshoot",
            passed,
            shares,
            "unfinished" if failed else "",
            noisy=_is_noisy(shares),
            overshoot_usd=budget["overshoot_usd"],
            max_overshoot_usd=budget["max_call_usd"],
        )
        rows += [
            Row(
                scenario=f"content budget ${budget['budget_usd']:g}/day, {budget['jobs']} jobs "
                "at once, 2 replicas: overshoot",
                rps=f"spent ${budget['spend_log_usd']:.4f}",
                errors=str(failed),
                ratio=_usd(budget["overshoot_usd"], signed=True),
                target=f"≤ {_usd(budget['max_call_usd'], signed=True)} (1 call)",
                verdict=verdict,
                cpu=cpu_columns(shares),
            ),
            _info(
                f"  AI pieces {budget['model_pieces']}, budget notices "
                f"{budget['budget_notices']} of {budget['jobs']}",
                rps=f"rows ${budget['spend_rows_usd']:.4f}",
                ratio=f"{_usd(budget['unused_budget_usd'])} unused",
            ),
        ]
    return rows


def learner_rows(learner: dict[str, Any], verdicts: list[dict[str, Any]]) -> list[Row]:
    """One big learner's jobs, the growth with history size, and the batch recomputation."""
    rows: list[Row] = []
    if (big := learner.get("big")) is not None:
        size = f"{big['responses'] / 1000:,.0f}k answers, {big['concepts']} concepts"
        labels = {"cold": "cold job", "warm": "warm job"}
        labels["plus_new"] = f"+{big['new_responses']} answers job"
        for key, label in labels.items():
            if (job := big["jobs"].get(key)) is None:
                continue
            shares = job.get("cpu_share_percent") or {}
            worker_ms, ok = job.get("worker_ms"), job["status"] == "succeeded"
            verdict = _judge(
                verdicts,
                f"learner_big_{key}_ms",
                ok and worker_ms is not None and worker_ms < JOB_TARGET_MS,
                shares,
                "" if ok else job["status"],
                noisy=_is_noisy(shares),
                worker_ms=worker_ms,
                max_ms=JOB_TARGET_MS,
            )
            rows.append(
                Row(
                    scenario=f"learner {size}: {label} (worker; visible)",
                    rps=f"{_ms(worker_ms)} ms ({_ms(job.get('started_to_visible_ms'))})",
                    errors="0" if ok else "1",
                    cpu_ms=_maybe(job.get("worker_cpu_ms"), 0),
                    target=f"<{JOB_TARGET_MS:g} ms",
                    verdict=verdict,
                    cpu=cpu_columns(shares),
                )
            )
    for entry in learner.get("growth") or []:
        cold, warm = entry["cold"], entry["warm"]
        rows.append(
            _info(
                f"  growth: {entry['responses']:,} answers, cold / warm (worker)",
                rps=f"{_ms(cold.get('worker_ms'))} / {_ms(warm.get('worker_ms'))} ms",
                errors=str(sum(1 for job in (cold, warm) if job["status"] != "succeeded")),
            )
        )
    if (batch := learner.get("batch")) is not None:
        rows += _batch_rows(batch, learner["settings"]["batch_responses"], verdicts)
    return rows


def _batch_unfinished(batch: dict[str, Any]) -> int:
    """Jobs the batch left neither succeeded nor failed (none when it was stopped at the
    benchmark's time bound: such a run is judged on the jobs it finished)."""
    return 0 if batch["timed_out"] else batch["jobs"] - batch["succeeded"] - batch["failed"]


def _batch_rows(batch: dict[str, Any], responses: int, verdicts: list[dict[str, Any]]) -> list[Row]:
    shares = batch.get("cpu_share_percent") or {}
    rate = batch.get("learners_per_s") or 0.0
    problems = batch["failed"] + _batch_unfinished(batch)
    verdict = _judge(
        verdicts,
        "learner_batch_learners_per_s",
        rate >= BATCH_TARGET_PER_S and not problems,
        shares,
        noisy=_is_noisy(shares),
        learners_per_s=rate,
        min_learners_per_s=BATCH_TARGET_PER_S,
    )
    timed_out, quiet = batch["timed_out"], batch.get("quiet_estimate_learners_per_s")
    pg_ms = batch.get("postgres_cpu_ms_per_learner")
    return [
        Row(
            scenario=f"batch recompute {batch['jobs']:,} learners × {responses} answers, 1 worker",
            rps=f"{rate:,.1f} learners/s",
            errors=str(problems),
            cpu_ms=_maybe(batch.get("app_cpu_ms_per_learner"), 2),
            target=f"≥{BATCH_TARGET_PER_S:g} learners/s",
            verdict=verdict + (f" (partial: {batch['succeeded']:,} done)" if timed_out else ""),
            cpu=cpu_columns(shares),
        ),
        _info(
            "  same, the command's wall clock"
            + (" (stopped at the time bound)" if timed_out else ""),
            rps=f"{batch.get('wall_learners_per_s') or 0:,.1f} learners/s",
            ratio=f"{batch['wall_s']:.0f}s",
        ),
        _info(
            "  quiet-machine estimate: cores ÷ CPU per learner (worker+pg)",
            rps=f"{quiet:,.0f} learners/s" if quiet else "n/a",
            cpu_ms=_maybe(pg_ms, 2) + " pg" if pg_ms is not None else "",
        ),
    ]


def render_growth(learner: dict[str, Any] | None) -> str:
    """The small table of the job's cost by history size (growth sizes, then the big learner)."""
    learner = learner or {}
    entries, big = list(learner.get("growth") or []), learner.get("big")
    if big is not None and {"cold", "warm"} <= big["jobs"].keys():
        entries.append(
            {**{k: big[k] for k in ("responses", "concepts", "sessions")}, **big["jobs"]}
        )
    if not entries:
        return ""
    sizes = ("responses", "concepts", "sessions")
    timings = (("worker_ms", "worker ms"), ("started_to_visible_ms", "visible ms"))
    timings += (("worker_cpu_ms", "CPU ms"),)
    header = ["answers", *sizes[1:]] + [
        f"{w} {name}" for w in ("cold", "warm") for _, name in timings
    ]
    body = [
        [f"{entry[key]:,}" for key in sizes]
        + [_ms(entry[when].get(key)) for when in ("cold", "warm") for key, _ in timings]
        for entry in entries
    ]
    title = (
        "learner model: one job's time by history size (worker = started→finished; visible ="
        " started→committed, polled every 5 ms; CPU = the analytics worker's processes meanwhile)"
    )
    return title + "\n" + table(header, body, right=True)


def part_failures(content: dict[str, Any] | None, learner: dict[str, Any] | None) -> int:
    """Jobs of the content and learner-model parts that failed, fell back or never finished."""
    content, learner = content or {}, learner or {}
    count = sum(_phase_errors(phase) for key, phase in content.items() if key.startswith("limits_"))
    if content.get("budget") is not None:
        count += _budget_unfinished(content["budget"])
    jobs = list(learner["big"]["jobs"].values()) if learner.get("big") else []
    for entry in learner.get("growth") or []:
        jobs += [entry["cold"], entry["warm"]]
    count += sum(1 for job in jobs if job["status"] != "succeeded")
    if (batch := learner.get("batch")) is not None:
        count += batch["failed"] + _batch_unfinished(batch)
    return count


def _usd(value: float, *, signed: bool = False) -> str:
    sign = "−" if value < 0 else "+" if signed else ""
    return f"{sign}${abs(value):.4f}"


def _ms(value: float | None) -> str:
    return f"{value:,.0f}" if value is not None else "n/a"


def _percent(value: float | None, missing: str = "n/a") -> str:
    return f"{value:.0%}" if value is not None else missing


def _maybe(value: float | None, digits: int = 2) -> str:
    return f"{value:.{digits}f}" if value is not None else ""


def _round(value: float | None, digits: int) -> float | None:
    return round(value, digits) if value is not None else None


def cpu_columns(shares: dict[str, float]) -> str:
    """app/wrk/pg/other shares of the machine's CPU, in percent."""
    return (
        "/".join(f"{shares.get(k, 0):.0f}" for k in ("app", "wrk", "postgres", "other"))
        if shares
        else ""
    )


def table(header: list[str], body: list[list[str]], right: bool | set[int] = False) -> str:
    """Columns padded to their widest cell (right-aligned: all, or those of the given indexes),
    a rule of dashes under the header."""
    lines = [header, *body]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        aligned = [
            cell.rjust(width) if right is True or (right and i in right) else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(aligned).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *(line(cells) for cells in body)])


def render(rows: list[Row]) -> str:
    names = [f.name for f in fields(Row)]
    right = {i for i, name in enumerate(names) if name in RIGHT}
    cells = [[getattr(row, name) for name in names] for row in (HEADERS, *rows)]
    return table(cells[0], cells[1:], right)


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS))
