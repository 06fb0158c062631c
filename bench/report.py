"""The one table: its rows, targets and verdicts (also kept as data for the JSON file)."""

from __future__ import annotations

from dataclasses import astuple, dataclass
from typing import Any

# Gateway scenario → (its ceiling, minimum share of the ceiling's req/s, p99 limit in ms).
TARGETS = {"gateway_get_job": ("ceiling_select", 0.60, 100.0)}
TARGETS |= {"gateway_get_learner": ("ceiling_select", 0.60, 100.0)}
TARGETS |= {"gateway_submit": ("ceiling_insert", 0.40, 200.0)}
ANALYTICS_TARGET_JOBS_PER_S = 100.0
UTILISATION_TARGET = 0.90  # of the RPM limit: model requests per 60 s once past the start-up burst
JOB_TARGET_MS = 1000.0  # one analytics job of the big learner, in the worker
BATCH_TARGET_PER_S = 200.0  # learners recomputed per second by one analytics worker
FIT_TARGET_S, FIT_AUC_TARGET = 60.0, 0.80
NOISY_OTHER_PERCENT = 20.0
Verdicts = list[dict[str, Any]]
Part = dict[str, Any] | None  # a part's figures, None when it did not run


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
    *("scenario", "req/s · figure", "p50 ms", "p99 ms", "errors", "ratio", "app CPU ms/req"),
    *("ratio by CPU", "target", "result", "CPU% app/wrk/pg/other"),
)
LEFT = {0, 8, 9}  # scenario, target, result; the figures are right-aligned
LEGEND = """\
ratio, ratio by CPU and the content rows' windows: see docs/benchmarks.md. CPU%: share of all
cores during the measured run; other = processes outside the benchmark; (noisy) = other above 20%.
Content rows: jobs/s = jobs finished per full 60 s window ÷ 60, over the windows the ratio uses;
app = the content workers, wrk = the loopback model server; errors = fallbacks and failed jobs.
Learner rows: app = the analytics worker (and the batch's `ailp recompute-analytics` command);
worker = started_at→finished_at, (visible) = until the bench sees the job succeeded."""


def _judge(verdicts: Verdicts, check: str, passed: bool, problem: str = "", **figures: Any) -> str:
    """Record a verdict for the JSON; its text: PASS or FAIL, then the problem, else (noisy)."""
    verdicts.append({"check": check, **figures, "pass": passed})
    return ("PASS" if passed else "FAIL") + (
        f" ({problem})" if problem else " (noisy)" * bool(figures.get("noisy"))
    )


def _noisy(shares: dict[str, float] | None) -> bool:
    return (shares or {}).get("other", 0) > NOISY_OTHER_PERCENT


def evaluate(
    results: dict[str, Any], lost: Part, analytics: Part, **parts: Part
) -> tuple[list[Row], Verdicts]:
    """The table rows and their verdicts."""
    verdicts: Verdicts = []
    rows = [_scenario_row(key, results, verdicts) for key in results]
    if lost is not None:
        verdict = _judge(verdicts, "zero_lost", lost["lost"] == 0, lost=lost["lost"])
        ratio = f"{lost['lost']} of {lost['accepted']:,}"
        rows.append(Row("accepted jobs lost", ratio=ratio, target="0", verdict=verdict))
    rows += _analytics_rows(analytics, verdicts) if analytics is not None else []
    for name, builder in (("content", content_rows), ("learner", learner_rows), ("fit", fit_rows)):
        rows += builder(data, verdicts) if (data := parts.get(name)) is not None else []
    return rows, verdicts


def _scenario_row(key: str, results: dict[str, Any], verdicts: Verdicts) -> Row:
    scenario = results[key]
    r, cpu = scenario.result, scenario.cpu
    socket = ",".join(f"{k}={v}" for k, v in r.socket_errors.items() if v)
    errors = [f"{r.non_2xx} non-2xx"] * bool(r.non_2xx) + [f"socket {socket}"] * bool(socket)
    figures = (f"{r.rps:,.0f}", f"{r.p50_ms:.2f}", f"{r.p99_ms:.2f}", "; ".join(errors) or "0")
    row = Row(scenario.label, *figures, cpu_ms=_text(scenario.app_cpu_ms, ".3f"), cpu=_cpu(cpu))
    row.verdict = "FLAG: errors" if r.errors else "(noisy)" if _noisy(cpu) else ""
    if key not in TARGETS:
        return row
    ceiling_key, share, p99_limit = TARGETS[key]
    if (ceiling := results.get(ceiling_key)) is None:  # run alone: nothing to compare with
        row.ratio, row.target = "n/a", f"(info: {ceiling_key} not run)"
        return row
    ratio = r.rps / ceiling.result.rps if ceiling.result.rps else None
    both = ceiling.total_cpu_ms and scenario.total_cpu_ms
    cpu_ratio = ceiling.total_cpu_ms / scenario.total_cpu_ms if both else None
    passed = ratio is not None and ratio >= share and r.p99_ms < p99_limit
    passed = passed and r.errors == 0 and ceiling.result.errors == 0
    row.ratio, row.cpu_ratio = _text(ratio, ".0%", "n/a"), _text(cpu_ratio, ".0%")
    row.target = f"≥{share:.0%}, p99<{p99_limit:g}ms"
    figures_of = dict(ratio=ratio and round(ratio, 4), min_ratio=share, errors=r.errors)
    figures_of |= dict(ratio_by_cpu=cpu_ratio and round(cpu_ratio, 4), p99_ms=r.p99_ms)
    figures_of |= dict(max_p99_ms=p99_limit)
    noisy, problem = _noisy(cpu) or _noisy(ceiling.cpu), "errors" if r.errors else ""
    row.verdict = _judge(verdicts, key, passed, problem, noisy=noisy, **figures_of)
    return row


def fit_rows(fit: dict[str, Any], verdicts: Verdicts) -> list[Row]:
    rows = []
    for key, label in (("file", "from the DKT file"), ("platform", "from PostgreSQL")):
        if not (run := fit.get(key)):
            continue
        passed = run["command_s"] < FIT_TARGET_S and (run["auc"] or 0.0) >= FIT_AUC_TARGET
        figures = {k: run[k] for k in ("command_s", "auc", "baseline_auc")}
        cells = dict(verdict=_judge(verdicts, f"learner_model_fit_{key}", passed, **figures))
        cells |= dict(rps=f"{run['command_s']:.1f} s (fit {run['fit_s']:.1f} s)")
        cells |= dict(ratio=f"AUC {run['auc']:.3f} vs {run['baseline_auc']:.3f} defaults")
        cells |= dict(target=f"< {FIT_TARGET_S:g} s, AUC ≥ {FIT_AUC_TARGET:g}")
        label += f", {run['answers_read']:,} answers, {run['concepts']} concepts fitted"
        rows.append(Row(f"learner-model fit {label}", **cells))
    return rows


def _analytics_rows(analytics: dict[str, Any], verdicts: Verdicts) -> list[Row]:
    rate, timed_out = analytics.get("jobs_per_s") or 0.0, analytics["timed_out"]
    failed, shares = analytics["statuses"].get("failed", 0), analytics["cpu_share_percent"]
    unfinished = analytics["jobs"] - analytics["statuses"].get("succeeded", 0) - failed
    passed = rate >= ANALYTICS_TARGET_JOBS_PER_S and not timed_out and not failed
    problem, figures = "timed out" if timed_out else "", dict(jobs_per_s=rate, noisy=_noisy(shares))
    verdict = _judge(verdicts, "analytics_jobs_per_s", passed, problem, **figures)
    cells = dict(rps=f"{rate:,.1f} jobs/s", errors=str(failed + unfinished), verdict=verdict)
    cells |= dict(p50=_text(analytics["job_run_ms_p50"]), p99=_text(analytics["job_run_ms_p99"]))
    cells |= dict(cpu_ms=_text(analytics["worker_cpu_ms_per_job"], ".3f"), cpu=_cpu(shares))
    cells |= dict(target=f"≥{ANALYTICS_TARGET_JOBS_PER_S:g} jobs/s")
    wall = f"{analytics.get('wall_jobs_per_s') or 0:,.1f} jobs/s"
    return [
        Row(f"analytics e2e, 1 worker ({analytics['jobs']:,} jobs; p50/p99 = job run)", **cells),
        _info("  same, wall clock incl. worker start-up", rps=wall),
    ]


def _phase_errors(phase: dict[str, Any]) -> int:
    return int(phase["fallbacks"] + phase["statuses_at_stop"].get("failed", 0))


def _budget_unfinished(budget: dict[str, Any]) -> int:
    return int(budget["statuses"].get("failed", 0) + (budget["jobs"] - budget["finished"]))


def content_rows(content: dict[str, Any], verdicts: Verdicts) -> list[Row]:
    rows: list[Row] = []
    for key in sorted(k for k in content if k.startswith("limits_")):
        phase = content[key]
        limit, peak, errors = phase["rpm_limit"], phase["peak_any_60s"], _phase_errors(phase)
        shares, rate, first = phase["cpu_share_percent"], phase["jobs_per_s"], phase["first_60s"]
        utilisation, quietest = phase["utilisation_mean"], phase["utilisation"]
        passed = utilisation is not None and utilisation >= UTILISATION_TARGET and not errors
        problem = "fallbacks" if errors else ""
        if utilisation is None:
            problem = problem or "no full 60 s window after the first: phase too short"
        elif not phase["backlog_at_stop"] and not passed:
            problem = problem or "backlog ran out: more jobs needed"
        figures = dict(utilisation=utilisation, quietest_window_utilisation=quietest, errors=errors)
        figures |= dict(min_utilisation=UTILISATION_TARGET, jobs_per_s=rate, noisy=_noisy(shares))
        verdict = _judge(verdicts, f"content_{key}_utilisation", passed, problem, **figures)
        figures = dict(noisy=_noisy(shares), peak=peak, limit=limit)
        peak_verdict = _judge(verdicts, f"content_{key}_peak_60s", peak <= limit, **figures)
        cells = dict(p50=_text(phase["job_run_ms_p50"]), p99=_text(phase["job_run_ms_p99"]))
        cells |= dict(errors=str(errors), ratio=_text(utilisation, ".0%", "n/a"), cpu=_cpu(shares))
        cells |= dict(cpu_ms=_text(phase["worker_cpu_ms_per_job"], ".3f"), verdict=verdict)
        cells |= dict(target=f"sustained ≥{UTILISATION_TARGET:.0%}", rps=_text(rate, ",.1f"))
        cells["rps"] += " jobs/s" * (rate is not None)
        span = f"{phase['phase_s']:.0f}s"
        label = f"content {phase['replicas']} replica{'s' * (phase['replicas'] > 1)} @ RPM "
        label += f"{limit} (full 60 s windows from 60 s to {span}; p50/p99 = job run)"
        whole = f"{phase['jobs_per_s_whole_phase']:,.1f} jobs/s"
        rows += [
            Row(label, **cells),
            Row("  peak model requests in any 60 s (model server)", ratio=f"{peak}/{limit}"),
            _info("  same windows: the quietest one (requests come in waves)"),
            _info(f"  first 60 s (start-up burst); jobs/s over all {span} (bursts included)"),
        ]
        rows[-3].target, rows[-3].verdict = f"≤{limit}", peak_verdict
        rows[-2].ratio, rows[-1].rps = _text(quietest, ".0%", "n/a"), whole
        rows[-1].ratio = _text(first / limit if first is not None else None, ".0%", "n/a")
    if (budget := content.get("budget")) is not None:
        shares, failed = budget["cpu_share_percent"], _budget_unfinished(budget)
        overshoot, most = budget["overshoot_usd"], budget["max_call_usd"]
        passed, problem = overshoot <= most + 1e-9 and not failed, "unfinished" if failed else ""
        figures = dict(overshoot_usd=overshoot, max_overshoot_usd=most, noisy=_noisy(shares))
        verdict = _judge(verdicts, "content_budget_overshoot", passed, problem, **figures)
        cells = dict(rps=f"spent ${budget['spend_log_usd']:.4f}", errors=str(failed))
        cells |= dict(ratio=_usd(overshoot, signed=True), verdict=verdict, cpu=_cpu(shares))
        cells |= dict(target=f"≤ {_usd(most, signed=True)} (1 call)")
        label = f"content budget ${budget['budget_usd']:g}/day, {budget['jobs']} jobs at once, "
        pieces = f"  AI pieces {budget['model_pieces']}, budget notices {budget['budget_notices']}"
        rows += [
            Row(label + "2 replicas: overshoot", **cells),
            _info(f"{pieces} of {budget['jobs']}", rps=f"rows ${budget['spend_rows_usd']:.4f}"),
        ]
        rows[-1].ratio = f"{_usd(budget['unused_budget_usd'])} unused"
    return rows


def learner_rows(learner: dict[str, Any], verdicts: Verdicts) -> list[Row]:
    rows: list[Row] = []
    big = learner.get("big") or {"jobs": {}}
    labels = {"cold": "cold job", "warm": "warm job", "plus_new": "+{new_responses} answers job"}
    for key, job in big["jobs"].items():
        size = f"{big['responses'] / 1000:,.0f}k answers, {big['concepts']} concepts"
        shares, worker_ms = job["cpu_share_percent"], job["worker_ms"]
        ok = job["status"] == "succeeded"
        passed = ok and worker_ms is not None and worker_ms < JOB_TARGET_MS
        figures = dict(worker_ms=worker_ms, max_ms=JOB_TARGET_MS, noisy=_noisy(shares))
        problem = "" if ok else job["status"]
        verdict = _judge(verdicts, f"learner_big_{key}_ms", passed, problem, **figures)
        cells = dict(rps=f"{_ms(worker_ms)} ms ({_ms(job['started_to_visible_ms'])})")
        cells |= dict(errors=str(int(not ok)), cpu_ms=_text(job["worker_cpu_ms"], ".0f"))
        cells |= dict(target=f"<{JOB_TARGET_MS:g} ms", verdict=verdict, cpu=_cpu(shares))
        rows.append(Row(f"learner {size}: {labels[key].format(**big)} (worker; visible)", **cells))
    for entry in learner.get("growth") or []:
        cold, warm = entry["cold"], entry["warm"]
        times = f"{_ms(cold['worker_ms'])} / {_ms(warm['worker_ms'])} ms"
        errors = str(sum(job["status"] != "succeeded" for job in (cold, warm)))
        label = f"  growth: {entry['responses']:,} answers, cold / warm (worker)"
        rows.append(_info(label, rps=times, errors=errors))
    if (batch := learner.get("batch")) is None:
        return rows
    shares, rate = batch["cpu_share_percent"], batch.get("learners_per_s") or 0.0
    problems, timed_out = batch["failed"] + _batch_unfinished(batch), batch["timed_out"]
    passed = rate >= BATCH_TARGET_PER_S and not problems
    figures = dict(learners_per_s=rate, min_learners_per_s=BATCH_TARGET_PER_S, noisy=_noisy(shares))
    verdict = _judge(verdicts, "learner_batch_learners_per_s", passed, **figures)
    verdict += f" (partial: {batch['succeeded']:,} done)" if timed_out else ""
    quiet, pg_ms = batch["quiet_estimate_learners_per_s"], batch["postgres_cpu_ms_per_learner"]
    cells = dict(rps=f"{rate:,.1f} learners/s", errors=str(problems), verdict=verdict)
    cells |= dict(cpu_ms=_text(batch["app_cpu_ms_per_learner"], ".2f"), cpu=_cpu(shares))
    cells |= dict(target=f"≥{BATCH_TARGET_PER_S:g} learners/s")
    responses = learner["settings"]["batch_responses"]
    wall = "  same, the command's wall clock" + " (stopped at the time bound)" * timed_out
    rows += [
        Row(f"batch recompute {batch['jobs']:,} learners × {responses} answers, 1 worker", **cells),
        _info(wall, rps=f"{batch['wall_learners_per_s'] or 0:,.1f} learners/s"),
        _info("  quiet-machine estimate: cores ÷ CPU per learner (worker+pg)"),
    ]
    rows[-2].ratio, rows[-1].rps = f"{batch['wall_s']:.0f}s", _text(quiet, ",.0f", "n/a")
    rows[-1].rps += " learners/s" * bool(quiet)
    rows[-1].cpu_ms = _text(pg_ms, ".2f") + " pg" * (pg_ms is not None)
    return rows


def _batch_unfinished(batch: dict[str, Any]) -> int:
    """Jobs the batch left unfinished (none when stopped at the time bound: judged on the rest)."""
    return 0 if batch["timed_out"] else batch["jobs"] - batch["succeeded"] - batch["failed"]


def render_growth(learner: Part) -> str:
    """The small table of the job's cost by history size (growth sizes, then the big learner)."""
    learner = learner or {}
    entries, big = list(learner.get("growth") or []), learner.get("big")
    if big is not None and {"cold", "warm"} <= big["jobs"].keys():
        entries.append({k: big[k] for k in ("responses", "concepts", "sessions")} | big["jobs"])
    timings = {"worker_ms": "worker", "started_to_visible_ms": "visible", "worker_cpu_ms": "CPU"}
    header = ["answers", "concepts", "sessions"]
    header += [f"{when} {name} ms" for when in ("cold", "warm") for name in timings.values()]
    body = [
        [f"{entry[key]:,}" for key in ("responses", "concepts", "sessions")]
        + [_ms(entry[when][key]) for when in ("cold", "warm") for key in timings]
        for entry in entries
    ]
    title = "learner model: one job's time by history size (worker = started→finished; visible ="
    title += " started→committed, polled every 5 ms; CPU = the analytics worker's processes"
    return f"{title} meanwhile)\n{table([header, *body], set())}" if entries else ""


def part_failures(content: Part, learner: Part) -> int:
    """Jobs of the content and learner-model parts that failed, fell back or never finished."""
    content, learner = content or {}, learner or {}
    count = sum(_phase_errors(phase) for key, phase in content.items() if key.startswith("limits_"))
    count += _budget_unfinished(content["budget"]) if "budget" in content else 0
    jobs = list(learner["big"]["jobs"].values()) if learner.get("big") else []
    jobs += [entry[when] for entry in learner.get("growth") or [] for when in ("cold", "warm")]
    count += sum(job["status"] != "succeeded" for job in jobs)
    if (batch := learner.get("batch")) is not None:
        count += batch["failed"] + _batch_unfinished(batch)
    return count


def _info(scenario: str, **cells: str) -> Row:
    return Row(scenario, target="(info)", **cells)


def _usd(value: float, *, signed: bool = False) -> str:
    return f"{'−' if value < 0 else '+' if signed else ''}${abs(value):.4f}"


def _ms(value: float | None) -> str:
    return _text(value, ",.0f", "n/a")


def _text(value: float | None, spec: str = ".2f", missing: str = "") -> str:
    return format(value, spec) if value is not None else missing


def _cpu(shares: dict[str, float]) -> str:
    columns = ("app", "wrk", "postgres", "other")
    return "/".join(f"{shares.get(k, 0):.0f}" for k in columns) if shares else ""


def table(lines: list[list[str]], left: set[int]) -> str:
    """Columns padded to their widest cell (left-aligned: those in `left`), a rule of dashes."""
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]

    def line(cells: list[str]) -> str:
        pad = [str.ljust if i in left else str.rjust for i in range(len(cells))]
        return "  ".join(p(c, w) for p, c, w in zip(pad, cells, widths, strict=True)).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(lines[0]), rule, *(line(cells) for cells in lines[1:])])


def render(rows: list[Row]) -> str:
    return table([list(astuple(row)) for row in (HEADERS, *rows)], LEFT)
