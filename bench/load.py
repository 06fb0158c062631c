"""The HTTP scenarios (`http`): each ceiling and each gateway endpoint under the same wrk load,
then the `analytics` part on the same stack.

Every scenario runs wrk twice with the same settings: a warm-up (pools filled, code paths warm)
whose figures are discarded, then the measured run. Submissions record every response (status
and `Location`), so that `check_accepted` can prove no accepted job was lost.
"""

from __future__ import annotations

import base64
import os
import sys
import uuid
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import redis

from ailp.queue.names import CONTENT_QUEUE
from bench import analytics, cpu, parts, wrk
from bench.ceilings import CEILING_QUEUE, CEILING_TABLE, CREATE_CEILING_TABLE
from bench.kit import Run, count_lines, echo
from bench.report import cpu_columns
from bench.seed import BenchUser, create_users, cursor_for
from tests.support.processes import Service, Stack, free_port, wait_until

# The HTTP scenarios' keys in run order (`--only` accepts them): each gateway scenario right
# after its ceiling, so both see similar noise.
SCENARIO_KEYS = (
    "hello",
    "ceiling_select",
    "gateway_get_job",
    "gateway_get_learner",
    "ceiling_insert",
    "gateway_submit",
)
# The gateway's settings the JSON file records.
REPORTED_ENV = (
    *("WEB_CONCURRENCY", "ANALYTICS_WORKER_CONCURRENCY", "DB_POOL_SIZE", "LOG_LEVEL"),
    *("LOG_FORMAT", "JOB_SUBMISSIONS_PER_MINUTE", "MAX_QUEUED_JOBS_PER_USER"),
    *("JOB_LEASE_SECONDS", "JOB_HEARTBEAT_SECONDS", "ENVIRONMENT"),
)


@dataclass
class Scenario:
    key: str
    label: str
    base_url: str
    server_pid: int  # the serving process group's leader, for the CPU breakdown
    targets: list[str]  # "PATH\tTOKEN" lines
    submit: bool = False  # POST bodies, responses recorded (submit.lua); else GET (requests.lua)


@dataclass
class ScenarioResult:
    key: str
    label: str
    result: wrk.WrkResult
    warmup: wrk.WrkResult | None = None
    statuses: dict[str, int] = field(default_factory=dict)
    accepted_ids: set[str] = field(default_factory=set)
    cpu: dict[str, float] = field(default_factory=dict)
    loadavg: float = 0.0
    # CPU ms per request of the serving processes (unlike req/s, this hardly depends on how much
    # of the machine other processes took), and of everything a request needs: the app, wrk,
    # the database's backends and Redis (on a saturated quiet machine, req/s ≈ cores / this).
    app_cpu_ms: float | None = None
    total_cpu_ms: float | None = None
    postgres_cpu_ms: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            **self.result.as_dict(),
            "statuses": self.statuses or None,
            "accepted": len(self.accepted_ids) if self.statuses else None,
            "warmup": self.warmup.as_dict() if self.warmup else None,
            "cpu_share_percent": self.cpu,
            "app_cpu_ms_per_request": self.app_cpu_ms,
            "total_cpu_ms_per_request": self.total_cpu_ms,
            "postgres_cpu_ms_per_request": self.postgres_cpu_ms,
            "loadavg_1m_at_start": self.loadavg,
        }


def run_scenario(ctx: Run, scenario: Scenario, database_url: str, workdir: Path) -> ScenarioResult:
    """Warm up, then measure (with py-spy on the server when `--profile` names the scenario)."""
    targets = workdir / f"targets-{scenario.key}.txt"
    targets.write_text("\n".join(scenario.targets) + "\n")
    loadavg = round(os.getloadavg()[0], 2)
    accepted: set[str] = set()
    measured: dict[str, Any] = {}
    for phase, seconds in (("warmup", ctx.args.warmup), ("measure", ctx.args.duration)):
        if seconds <= 0:
            continue
        script_args = [str(targets)]
        out_dir = workdir / "responses" / scenario.key / phase
        if scenario.submit:
            out_dir.mkdir(parents=True, exist_ok=True)
            script_args.append(str(out_dir))
        spy = ctx.profile(scenario.key, scenario.server_pid, scenario.label)
        meter = cpu.Meter([scenario.server_pid], database_url, ctx.redis_url)
        with spy if phase == "measure" else nullcontext(), meter:
            result, wrk_s = wrk.run(
                scenario.base_url,
                duration_s=seconds,
                connections=ctx.args.connections,
                threads=ctx.args.threads,
                script="submit.lua" if scenario.submit else "requests.lua",
                args=script_args,
            )
        statuses, ids = read_responses(out_dir)
        accepted |= ids
        measured[phase] = (result, statuses, meter, wrk_s)
    result, statuses, meter, wrk_s = measured["measure"]
    label = scenario.label + (" [py-spy]" if scenario.key in ctx.profiled else "")
    total = sum(meter.cpu_s(group) for group in cpu.GROUPS) + wrk_s
    return ScenarioResult(
        key=scenario.key,
        label=label,
        result=result,
        warmup=measured["warmup"][0] if "warmup" in measured else None,
        statuses=dict(sorted(statuses.items())),
        accepted_ids=accepted,
        cpu=meter.shares(wrk_s=wrk_s),
        loadavg=loadavg,
        app_cpu_ms=meter.ms_per(result.requests),
        total_cpu_ms=round(total * 1000 / result.requests, 3) if result.requests else None,
        postgres_cpu_ms=meter.ms_per(result.requests, "postgres"),
    )


def read_responses(out_dir: Path) -> tuple[Counter[str], set[str]]:
    """Statuses and accepted job ids from submit.lua's files ("<status> <Location>" lines)."""
    statuses: Counter[str] = Counter()
    accepted: set[str] = set()
    for path in sorted(out_dir.glob("responses-*.txt")):
        for line in path.read_text().splitlines():
            status, _, location = line.partition(" ")
            statuses[status] += 1
            if status == "202" and location.startswith("/api/jobs/"):
                accepted.add(location.rsplit("/", 1)[1])
    return statuses, accepted


def create_read_jobs(base_url: str, users: list[BenchUser]) -> dict[int, str]:
    """One queued content job per user through the real API (also proves the tokens work)."""
    jobs: dict[int, str] = {}
    for user in users:
        api = user.api(base_url)
        try:
            response = api.submit_content(user.learner_id)
        finally:
            api.close()
        if response.status_code != 202:
            raise RuntimeError(f"setup submission failed: {response.status_code} {response.text}")
        jobs[user.user_id] = response.json()["id"]
    return jobs


def scenarios(
    gateway: tuple[str, int],
    ceilings: dict[str, tuple[str, int]],
    users: list[BenchUser],
    read_jobs: dict[int, str],
) -> list[Scenario]:
    """In run order; `gateway` and each ceiling are (base URL, server pid)."""
    hello, ceiling = ceilings["hello"], ceilings["ceiling"]
    submit = [f"/api/learners/{u.learner_id}/generate-content\t{u.token}" for u in users]
    return [
        Scenario("hello", "ceiling: bare ASGI hello", *hello, ["/\t"]),
        Scenario(
            "ceiling_select",
            "ceiling: FastAPI, 1 PK SELECT",
            *ceiling,
            [f"/select/{read_jobs[u.user_id]}\t" for u in users],
        ),
        Scenario(
            "gateway_get_job",
            "gateway: GET /api/jobs/{id}",
            *gateway,
            [f"/api/jobs/{read_jobs[u.user_id]}\t{u.token}" for u in users],
        ),
        Scenario(
            "gateway_get_learner",
            "gateway: GET /api/learners/{id}",
            *gateway,
            [f"/api/learners/{u.learner_id}\t{u.token}" for u in users],
        ),
        Scenario(
            "ceiling_insert", "ceiling: FastAPI, INSERT + LPUSH", *ceiling, ["/insert\t"], True
        ),
        Scenario("gateway_submit", "gateway: POST …/generate-content", *gateway, submit, True),
    ]


def check_accepted(database_url: str, redis_url: str, accepted: set[str]) -> dict[str, Any]:
    """Every accepted content job must be a row in `jobs` and a message in the `content` queue.

    Rows nobody saw accepted are requests in flight when wrk stopped (it drops their responses);
    a row without a message would be picked up by the sweeper (off during the benchmark).
    """
    with cursor_for(database_url) as cursor:
        cursor.execute("SELECT id::text FROM jobs WHERE kind = 'content'")
        rows = {row[0] for row in cursor.fetchall()}
        cursor.execute(f"SELECT count(*) FROM {CEILING_TABLE}")
        ceiling_rows = cursor.fetchone()[0]
    client = redis.Redis.from_url(redis_url)
    try:
        queued = [  # each message's job id: its task's only argument
            str(orjson.loads(base64.b64decode(orjson.loads(raw)["body"]))[0][0])
            for raw in client.lrange(CONTENT_QUEUE, 0, -1)
        ]
        ceiling_messages = client.llen(CEILING_QUEUE)
    finally:
        client.close()
    in_broker = set(queued)
    lost = accepted - (rows & in_broker)
    return {
        "accepted": len(accepted),
        "rows": len(rows),
        "messages": len(queued),
        "duplicate_messages": len(queued) - len(in_broker),
        "lost": len(lost),
        "lost_sample": sorted(lost)[:10],
        "missing_row": len(accepted - rows),
        "missing_message": len(accepted - in_broker),
        "rows_without_message": len(rows - in_broker),
        "messages_without_row": len(in_broker - rows),
        "in_flight_at_stop": len(rows - accepted),
        "ceiling_rows": ceiling_rows,
        "ceiling_messages": ceiling_messages,
    }


def _start_ceilings(stack: Stack) -> dict[str, tuple[Service, str]]:
    """Both ceiling apps, with the gateway's environment, answering."""
    started = {}
    for name in ("hello", "ceiling"):
        port = free_port()
        service = Service(
            name=name,
            argv=[sys.executable, "-m", "bench.ceilings", name, str(port)],
            env=stack["gateway"].env,
            log_path=stack.workdir / f"{name}.log",
            metrics_dir=stack.workdir / "metrics" / name,
        )
        service.start()
        started[name] = (service, f"http://127.0.0.1:{port}")
    for name, path, status in (
        ("hello", "/", 200),
        ("ceiling", f"/select/{uuid.UUID(int=0)}", 404),
    ):
        service, url = started[name]

        def answers(
            service: Service = service, url: str = url + path, status: int = status
        ) -> bool:
            if not service.alive:
                raise RuntimeError(f"{service.name} exited:\n{service.log_tail()}")
            return httpx.get(url, timeout=2).status_code == status

        wait_until(answers, timeout=90, interval=0.2, message=f"{name} answering")
    return started


def run(ctx: Run) -> dict[str, Any]:
    """The `http` and `analytics` parts, on one database and gateway with `--users` users."""
    out: dict[str, Any] = {"scenarios": {}, "accepted_jobs": None, "analytics": None}
    with ctx.stack("main") as stack:
        with cursor_for(stack.database_url) as cursor:
            cursor.execute(CREATE_CEILING_TABLE)
        echo(f"==> starting gateway and ceilings (logs: {ctx.workdir})")
        ceilings = _start_ceilings(stack)
        try:
            stack.start("gateway")
            users = create_users(stack.database_url, ctx.jwt_secret, ctx.args.users)
            if parts.HTTP in ctx.selection:
                out["scenarios"], out["accepted_jobs"] = _http(ctx, stack, ceilings, users)
        finally:
            for service, _url in ceilings.values():
                service.stop()
        if parts.ANALYTICS in ctx.selection:
            echo("==> analytics end to end")
            out["analytics"] = analytics.run(ctx, stack, users)
        out["gateway_env"] = {k: v for k, v in stack["gateway"].env.items() if k in REPORTED_ENV}
        out["access_lines"] = count_lines(stack["gateway"].log_path, b'"gateway.access"')
    return out


def _http(
    ctx: Run, stack: Stack, ceilings: dict[str, tuple[Service, str]], users: list[BenchUser]
) -> tuple[dict[str, ScenarioResult], dict[str, Any] | None]:
    results: dict[str, ScenarioResult] = {}
    read_jobs = create_read_jobs(stack.base_url, users)
    servers = {name: (url, service.pid) for name, (service, url) in ceilings.items()}
    plan = scenarios((stack.base_url, stack["gateway"].pid), servers, users, read_jobs)
    for scenario in plan:
        if scenario.key not in ctx.selection.scenarios:
            continue
        echo(f"==> {scenario.label}: {ctx.args.warmup:g}s warm-up + {ctx.args.duration:g}s")
        result = results[scenario.key] = run_scenario(
            ctx, scenario, stack.database_url, ctx.workdir
        )
        r = result.result
        echo(
            f"    {r.rps:,.0f} req/s  p50 {r.p50_ms:.2f} ms  p99 {r.p99_ms:.2f} ms  "
            f"errors {r.errors}  statuses {result.statuses or '-'}  "
            f"CPU% app/wrk/pg/other {cpu_columns(result.cpu)}"
        )
    if "gateway_submit" not in ctx.selection.scenarios:
        return results, None
    accepted = set(read_jobs.values())
    if "gateway_submit" in results:
        accepted |= results["gateway_submit"].accepted_ids
    lost = check_accepted(stack.database_url, ctx.redis_url, accepted)
    lost["publish_failed_logged"] = count_lines(stack["gateway"].log_path, b"job_publish_failed")
    echo(
        f"==> accepted jobs: {lost['accepted']:,} answered 202 · {lost['rows']:,} rows · "
        f"{lost['messages']:,} messages in the broker · lost {lost['lost']} · rows without a "
        f"message {lost['rows_without_message']} · in flight when wrk stopped "
        f"{lost['in_flight_at_stop']}"
    )
    return results, lost
