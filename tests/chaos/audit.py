"""The invariants, counted after the run from PostgreSQL, the model server's log and the ledger.

* lost: a 202 whose job has no row, is not terminal by the drain deadline, or succeeded without
  its output (no content / analytics_results row);
* duplicated: two output rows for one job, an output row of a job that did not succeed, two jobs
  for one Idempotency-Key, or more answered model calls than the bound below;
* stuck: any job row (accepted, automatic or unheard-of) still queued or running at the end;
* overspent: model spend on a UTC day above the day's budget plus one call's worst case, counted
  both from `content.cost_usd` and from the model server's own log priced the same way;
* server errors: any answer 5xx other than 503.

The model-call bound. A content attempt (one claim of the job) asks the model once and, only when
that answer is not valid content, once more to repair it (`content_worker.service._ask_model`).
Within one ask the client retries only failures (429, 5xx, timeouts, connection errors), never an
answer. So the answered calls (HTTP 200) for a set of jobs are at most their attempts (the
`attempts` column, which counts claims) plus the repair calls among them; unanswered calls cost
nothing and are listed apart. Calls are attributed to jobs by the concept in the prompt: most
concepts are unique to one job, the shared ones are checked per concept over all its jobs.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.chaos.config import CampaignConfig
from tests.chaos.environment import Environment
from tests.chaos.ledger import Ledger

TERMINAL = ("succeeded", "failed", "canceled")
EVIDENCE_JOBS = 20  # jobs shown with their rows and log lines per finding
LOG_LINES_PER_JOB = 12


@dataclass(frozen=True)
class JobRow:
    id: str
    kind: str
    status: str
    attempts: int
    error_code: str | None
    error_message: str | None
    worker: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    concept: str | None
    trigger: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            key: value.isoformat() if isinstance(value, datetime) else value
            for key, value in self.__dict__.items()
        }


@dataclass(frozen=True)
class Invariant:
    name: str
    value: float
    limit: float
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.value <= self.limit


@dataclass
class Audit:
    counts: dict[str, Any] = field(default_factory=dict)
    invariants: list[Invariant] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(item.ok for item in self.invariants)


def concept_key(concept: str | None) -> str:
    """How the model server names a call's concept (whitespace folded, 120 characters)."""
    return " ".join((concept or "").split())[:120].lower()


def unfinished_jobs(env: Environment) -> int:
    """Jobs not yet terminal plus automatic analytics still scheduled (they become jobs)."""
    rows = env.query(
        "SELECT (SELECT count(*) FROM jobs WHERE status IN ('queued', 'running'))"
        " + (SELECT count(*) FROM analytics_schedules)"
    )
    return int(rows[0][0])


def load_jobs(env: Environment) -> dict[str, JobRow]:
    rows = env.query(
        "SELECT id::text, kind, status, attempts, error_code, left(error_message, 300), worker,"
        " created_at, started_at, finished_at, params->>'concept', params->>'trigger' FROM jobs"
    )
    return {row[0]: JobRow(*row) for row in rows}


def run_audit(env: Environment, ledger: Ledger, config: CampaignConfig, *, drained: bool) -> Audit:
    audit = Audit()
    jobs = load_jobs(env)
    accepted = ledger.accepted_jobs()
    _count_jobs(audit, jobs, accepted, ledger)
    _lost(audit, env, jobs, accepted)
    _stuck(audit, env, jobs, drained)
    _duplicates(audit, env, jobs, ledger)
    calls = env.model.control.requests(brief=True)
    count_model_calls(audit, jobs, calls)
    _duplicated_invariant(audit)
    _spend(audit, env, calls, config)
    _server_errors(audit, ledger)
    return audit


def _count_jobs(audit: Audit, jobs: dict[str, JobRow], accepted: list[Any], ledger: Ledger) -> None:
    heard = {job.job_id for job in accepted}
    by_kind = Counter(job.kind for job in accepted)
    statuses = Counter(f"{row.kind} {row.status}" for row in jobs.values())
    failures = Counter(
        f"{row.kind} {row.error_code}" for row in jobs.values() if row.status == "failed"
    )
    audit.counts.update(
        accepted=len(accepted),
        accepted_content=by_kind["content"],
        accepted_analytics=by_kind["analytics"],
        job_rows=len(jobs),
        automatic_analytics=sum(1 for row in jobs.values() if row.trigger == "activity"),
        rows_without_a_202=sum(
            1 for row in jobs.values() if row.id not in heard and row.trigger != "activity"
        ),
        job_statuses=dict(sorted(statuses.items())),
        failed_by_error=dict(sorted(failures.items())),
        attempts_histogram=dict(sorted(Counter(row.attempts for row in jobs.values()).items())),
    )
    audit.evidence["failed_jobs"] = [
        row.as_dict() for row in jobs.values() if row.status == "failed"
    ][:EVIDENCE_JOBS]


def _lost(audit: Audit, env: Environment, jobs: dict[str, JobRow], accepted: list[Any]) -> None:
    outputs = dict(
        env.query(
            "SELECT j.id::text, coalesce(c.n, 0) + coalesce(a.n, 0) FROM jobs j"
            " LEFT JOIN (SELECT job_id, count(*) n FROM content GROUP BY job_id) c"
            "   ON c.job_id = j.id"
            " LEFT JOIN (SELECT job_id, count(*) n FROM analytics_results GROUP BY job_id) a"
            "   ON a.job_id = j.id"
            " WHERE j.status = 'succeeded'"
        )
    )
    missing = [job for job in accepted if job.job_id not in jobs]
    unfinished = [
        job for job in accepted if job.job_id in jobs and jobs[job.job_id].status not in TERMINAL
    ]
    no_output = [job_id for job_id, count in outputs.items() if count == 0]
    audit.counts.update(
        lost_no_row=len(missing),
        lost_unfinished=len(unfinished),
        lost_succeeded_without_output=len(no_output),
    )
    lost = len(missing) + len(unfinished) + len(no_output)
    audit.invariants.append(
        Invariant(
            "lost jobs",
            lost,
            0,
            f"{len(missing)} without a row, {len(unfinished)} unfinished, "
            f"{len(no_output)} succeeded without output",
        )
    )
    audit.evidence["lost_no_row"] = [job.__dict__ for job in missing[:EVIDENCE_JOBS]]
    audit.evidence["lost_unfinished"] = [
        _with_logs(env, jobs[job.job_id].as_dict(), job.__dict__)
        for job in unfinished[:EVIDENCE_JOBS]
    ]
    audit.evidence["succeeded_without_output"] = [
        jobs[job_id].as_dict() for job_id in no_output[:EVIDENCE_JOBS]
    ]


def _stuck(audit: Audit, env: Environment, jobs: dict[str, JobRow], drained: bool) -> None:
    stuck = [row for row in jobs.values() if row.status not in TERMINAL]
    scheduled = int(env.query("SELECT count(*) FROM analytics_schedules")[0][0])
    audit.counts.update(stuck=len(stuck), schedules_left=scheduled, drained=drained)
    audit.invariants.append(
        Invariant("stuck jobs", len(stuck), 0, f"{scheduled} automatic analytics still scheduled")
    )
    audit.evidence["stuck"] = [_with_logs(env, row.as_dict()) for row in stuck[:EVIDENCE_JOBS]]


def _duplicates(audit: Audit, env: Environment, jobs: dict[str, JobRow], ledger: Ledger) -> None:
    doubled = env.query(
        "SELECT 'content', job_id::text, count(*) FROM content WHERE job_id IS NOT NULL"
        " GROUP BY job_id HAVING count(*) > 1"
        " UNION ALL SELECT 'analytics', job_id::text, count(*) FROM analytics_results"
        " WHERE job_id IS NOT NULL GROUP BY job_id HAVING count(*) > 1"
    )
    stray = env.query(
        "SELECT o.kind, o.job_id::text, j.status FROM ("
        "  SELECT 'content' kind, job_id FROM content WHERE job_id IS NOT NULL"
        "  UNION ALL SELECT 'analytics', job_id FROM analytics_results WHERE job_id IS NOT NULL"
        ") o JOIN jobs j ON j.id = o.job_id WHERE j.status <> 'succeeded'"
    )
    keyed = {
        f"{user} {key}": sorted(ids) for (user, key), ids in ledger.keyed.items() if len(ids) > 1
    }
    audit.counts.update(
        double_outputs=len(doubled),
        outputs_of_unsucceeded_jobs=len(stray),
        keys_with_two_jobs=len(keyed),
    )
    audit.evidence["double_outputs"] = [list(row) for row in doubled[:EVIDENCE_JOBS]]
    audit.evidence["outputs_of_unsucceeded_jobs"] = [list(row) for row in stray[:EVIDENCE_JOBS]]
    audit.evidence["keys_with_two_jobs"] = dict(list(keyed.items())[:EVIDENCE_JOBS])


def count_model_calls(audit: Audit, jobs: dict[str, JobRow], calls: list[dict[str, Any]]) -> None:
    groups: dict[str, list[JobRow]] = defaultdict(list)
    for row in jobs.values():
        if row.kind == "content":
            groups[concept_key(row.concept)].append(row)
    answered: Counter[str] = Counter()
    repairs: Counter[str] = Counter()
    unanswered = Counter(str(call["status"]) for call in calls if call["status"] != 200)
    unattributed = 0
    for call in calls:
        if call["status"] != 200:
            continue
        key = concept_key(call.get("concept"))
        if key not in groups:
            unattributed += 1
        elif int(call.get("message_count") or 0) > 2:
            repairs[key] += 1
        else:
            answered[key] += 1
    over: list[dict[str, Any]] = []
    paid_twice: list[dict[str, Any]] = []
    for key, rows in groups.items():
        attempts = sum(row.attempts for row in rows)
        if answered[key] > attempts or repairs[key] > answered[key]:
            over.append(
                {
                    "concept": key,
                    "jobs": [(row.id, row.status, row.attempts) for row in rows][:10],
                    "attempts": attempts,
                    "answered": answered[key],
                    "repairs": repairs[key],
                }
            )
        if len(rows) == 1 and answered[key] > 1:
            paid_twice.append({**rows[0].as_dict(), "answered_calls": answered[key]})
    total_answered = sum(answered.values()) + sum(repairs.values())
    bound = sum(row.attempts for rows in groups.values() for row in rows) + sum(repairs.values())
    audit.counts.update(
        model_calls=len(calls),
        model_calls_answered=total_answered,
        model_calls_bound=bound,
        model_calls_repair=sum(repairs.values()),
        model_calls_unanswered=dict(unanswered),
        model_calls_unattributed=unattributed,
        model_calls_over_bound_groups=len(over),
        content_jobs_answered_twice=len(paid_twice),
    )
    audit.evidence["model_calls_over_bound"] = over[:EVIDENCE_JOBS]
    # Not an invariant (attempts bound them): jobs whose model answer was paid and then thrown
    # away, the job running again (a lease lost during a freeze or a database outage).
    audit.evidence["content_jobs_answered_twice"] = paid_twice[:EVIDENCE_JOBS]


def _duplicated_invariant(audit: Audit) -> None:
    counts = audit.counts
    doubled, stray = int(counts["double_outputs"]), int(counts["outputs_of_unsucceeded_jobs"])
    keys, over = int(counts["keys_with_two_jobs"]), int(counts["model_calls_over_bound_groups"])
    unattributed = int(counts["model_calls_unattributed"])
    audit.invariants.append(
        Invariant(
            "duplicated effects",
            doubled + stray + keys + over + unattributed,
            0,
            f"{doubled} jobs with two outputs, {stray} outputs of unsucceeded jobs, "
            f"{keys} keys with two jobs, {over} concepts over the model-call bound "
            f"({counts['model_calls_answered']} answered calls, bound "
            f"{counts['model_calls_bound']}), {unattributed} calls of no job",
        )
    )


def _spend(
    audit: Audit, env: Environment, calls: list[dict[str, Any]], config: CampaignConfig
) -> None:
    prices = config.prices
    by_day: dict[str, float] = defaultdict(float)
    max_prompt = 0
    for call in calls:
        if call["status"] != 200:
            continue
        day = datetime.fromtimestamp(float(call["at"]), UTC).date().isoformat()
        by_day[day] += prices.cost(int(call["prompt_tokens"]), int(call["completion_tokens"]))
        max_prompt = max(max_prompt, int(call["prompt_tokens"]))
    # The worker reserves ≈ characters / 3 + overhead for the prompt (the server counts / 4)
    # and max_tokens for the answer: that is one call's worst case.
    worst_call = prices.cost(math.ceil(max_prompt * 4 / 3) + 40, config.max_tokens)
    stored = {
        str(day): float(total)
        for day, total in env.query(
            "SELECT (created_at AT TIME ZONE 'UTC')::date, coalesce(sum(cost_usd), 0)"
            " FROM content GROUP BY 1"
        )
    }
    sources = dict(env.query("SELECT source, count(*) FROM content GROUP BY source"))
    fallback_reasons = dict(
        env.query(
            "SELECT left(coalesce(notice, ''), 60), count(*) FROM content"
            " WHERE source <> 'openai' AND notice IS NOT NULL GROUP BY 1"
        )
    )
    limit = config.budget + worst_call
    days = sorted(set(by_day) | set(stored))
    model_worst = max((by_day[day] for day in days), default=0.0)
    stored_worst = max((stored.get(day, 0.0) for day in days), default=0.0)
    audit.counts.update(
        budget_usd=config.budget,
        one_call_worst_case_usd=round(worst_call, 6),
        spend_model_server_usd={day: round(by_day[day], 6) for day in days},
        spend_content_rows_usd={day: round(stored.get(day, 0.0), 6) for day in days},
        budget_reached=model_worst >= config.budget - worst_call,
        content_by_source=sources,
        content_notices=fallback_reasons,
        ledger_spend_usd=_ledger_spend(env),
    )
    audit.invariants.append(
        Invariant(
            "spend (model server) USD",
            round(model_worst, 6),
            round(limit, 6),
            f"budget {config.budget} + one call's worst case {worst_call:.4f}",
        )
    )
    audit.invariants.append(
        Invariant("spend (content rows) USD", round(stored_worst, 6), round(limit, 6))
    )
    if not audit.counts["budget_reached"]:
        audit.notes.append(
            "the budget was never reached: the overspend check is inconclusive "
            "(lower --budget-usd or raise the load)"
        )


def _ledger_spend(env: Environment) -> dict[str, float]:
    """The platform's own record of each day's spend (model_spend_days: settled plus in flight),
    for evidence beside the model server's tally."""
    return {
        str(day): round(int(micro) / 1_000_000, 6)
        for day, micro in env.query(
            "SELECT day, spent_micro + reserved_micro FROM model_spend_days ORDER BY day"
        )
    }


def _server_errors(audit: Audit, ledger: Ledger) -> None:
    snapshot = ledger.snapshot()
    by_status = snapshot["by_status"]
    server_errors = sum(
        count for status, count in by_status.items() if int(status) >= 500 and status != "503"
    )
    audit.counts.update(
        requests=snapshot["requests"],
        responses_by_status=by_status,
        responses_by_action=snapshot["by_action"],
        client_anomalies=snapshot["anomaly_counts"],
    )
    audit.evidence["client_anomalies"] = snapshot["anomalies"]
    audit.invariants.append(
        Invariant("5xx other than 503", server_errors, 0, f"{by_status.get('503', 0)} × 503")
    )


def _with_logs(env: Environment, row: dict[str, Any], accepted: Any = None) -> dict[str, Any]:
    result = {**row, "log": job_log_lines(env.stack.workdir, row["id"])}
    if accepted is not None:
        result["accepted"] = accepted
    return result


def job_log_lines(workdir: Path, job_id: str, limit: int = LOG_LINES_PER_JOB) -> list[str]:
    """The services' log lines that name the job (the last `limit` of them)."""
    found: list[str] = []
    for log in sorted(workdir.glob("*.log")):
        with log.open(errors="replace") as lines:
            found += [f"{log.stem}: {line.strip()[:400]}" for line in lines if job_id in line]
    return found[-limit:]
