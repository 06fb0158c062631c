"""The `http` part, each ceiling and gateway endpoint under the same wrk load (warm-up, then the
measured run), then `analytics`; `check_accepted` proves no accepted submission was lost."""

from __future__ import annotations

import re
import resource
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import redis
import uvicorn
from fastapi import FastAPI, Request, Response
from pydantic import BaseModel, ConfigDict

from ailp.config import get_settings
from ailp.queue.messages import named_jobs, task_message
from ailp.queue.names import CONTENT_QUEUE, GENERATE_CONTENT_TASK
from bench import kit
from gateway.broker import create_redis
from gateway.db import create_pool
from gateway.jobs.repository import COLUMNS
from tests.support.api import TERMINAL
from tests.support.processes import Service, Stack, free_port, wait_until

# In run order (`--only` takes them): each gateway scenario right after its ceiling, so both
# see similar noise.
SCENARIO_KEYS = ("hello", "ceiling_select", "gateway_get_job", "gateway_get_learner")
SCENARIO_KEYS += ("ceiling_insert", "gateway_submit")


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
    result: WrkResult
    accepted_ids: set[str] = field(default_factory=set)
    cpu: dict[str, float] = field(default_factory=dict)
    # CPU ms per request of the server (hardly depends on how much of the machine others took),
    # and of all a request needs: app, wrk, database backends, Redis (quiet req/s ≈ cores / this).
    app_cpu_ms: float | None = None
    total_cpu_ms: float | None = None

    def as_dict(self) -> dict[str, Any]:
        figures = {k: v for k, v in vars(self).items() if k not in ("result", "accepted_ids")}
        return figures | self.result.as_dict() | {"accepted": len(self.accepted_ids)}


def run_scenario(ctx: kit.Run, scenario: Scenario, stack: Stack) -> ScenarioResult:
    """Warm up, then measure (with py-spy on the server when `--profile` names the scenario)."""
    targets = stack.workdir / f"targets-{scenario.key}.txt"
    targets.write_text("\n".join(scenario.targets) + "\n")
    accepted = set[str]()
    for phase, seconds in (("warmup", ctx.args.warmup), ("measure", ctx.args.duration)):
        if seconds <= 0:
            continue
        out_dir = stack.workdir / "responses" / scenario.key / phase
        out_dir.mkdir(parents=True, exist_ok=True)
        spy = ctx.profile(scenario.key, scenario.server_pid, scenario.label)
        meter = kit.Meter([scenario.server_pid], stack.database_url, ctx.redis_url)
        script = "submit.lua" if scenario.submit else "requests.lua"
        with spy if phase == "measure" else nullcontext(), meter:
            result, wrk_s = run_wrk(ctx, scenario.base_url, seconds, script, [targets, out_dir])
        for path in sorted(out_dir.glob("responses-*.txt")):  # "<status> <Location>" lines
            for status, _, where in (line.partition(" ") for line in path.read_text().split("\n")):
                if status == "202" and where.startswith("/api/jobs/"):
                    accepted.add(where.rsplit("/", 1)[1])
    requests, total_s = result.requests, sum(meter.cpu_s(group) for group in kit.GROUPS) + wrk_s
    label = scenario.label + " [py-spy]" * (scenario.key in ctx.profiled)
    out = ScenarioResult(scenario.key, label, result, accepted)
    out.cpu, out.app_cpu_ms = meter.shares(wrk_s=wrk_s), meter.ms_per(requests)
    out.total_cpu_ms = round(total_s * 1000 / requests, 3) if requests else None
    return out


def create_read_jobs(base_url: str, users: list[kit.BenchUser]) -> dict[int, str]:
    """One queued content job per user through the real API (also proves the tokens work)."""
    jobs: dict[int, str] = {}
    for user in users:
        api = user.api(base_url)
        response = api.submit_content(user.learner_id)
        api.close()
        if response.status_code != 202:
            raise RuntimeError(f"setup submission failed: {response.status_code} {response.text}")
        jobs[user.user_id] = response.json()["id"]
    return jobs


def gateway_scenarios(
    base_url: str, pid: int, users: list[kit.BenchUser], read_jobs: dict[int, str]
) -> dict[str, Scenario]:
    """The gateway's scenarios by key, each user's token on its own paths (growth runs them too)."""
    scenarios = {}
    for key, label, path in (
        ("gateway_get_job", "GET /api/jobs/{id}", "/api/jobs/{job}"),
        ("gateway_get_learner", "GET /api/learners/{id}", "/api/learners/{learner}"),
        ("gateway_submit", "POST …/generate-content", "/api/learners/{learner}/generate-content"),
    ):
        paths = [path.format(job=read_jobs[u.user_id], learner=u.learner_id) for u in users]
        targets = [f"{path}\t{user.token}" for path, user in zip(paths, users, strict=True)]
        scenarios[key] = Scenario(key, f"gateway: {label}", base_url, pid, targets)
    scenarios["gateway_submit"].submit = True
    return scenarios


def check_accepted(database_url: str, redis_url: str, accepted: set[str]) -> dict[str, Any]:
    """Every accepted content job must be a row in `jobs` and a message in the `content` queue
    (a row without a message would wait for the sweeper, off during the benchmark)."""
    with kit.cursor_for(database_url) as cursor:
        cursor.execute("SELECT id::text FROM jobs WHERE kind = 'content'")
        rows = {row[0] for row in cursor.fetchall()}
    with redis.Redis.from_url(redis_url) as client:
        raw_messages = client.lrange(CONTENT_QUEUE, 0, -1)
    in_broker = {job_id for raw in raw_messages for job_id in named_jobs(orjson.loads(raw))}
    lost = len(accepted - (rows & in_broker))
    return dict(accepted=len(accepted), lost=lost, rows_without_message=len(rows - in_broker))


def _ceiling(stack: Stack, name: str, path: str, status: int) -> tuple[Service, str]:
    port = free_port()
    argv, url = [sys.executable, "-m", "bench.load", name, str(port)], f"http://127.0.0.1:{port}"
    log, metrics = stack.workdir / f"{name}.log", stack.workdir / "metrics" / name
    service = Service(name, argv, stack["gateway"].env, log, metrics)
    service.start()

    def answers() -> bool:
        if not service.alive:
            raise RuntimeError(f"{name} exited:\n{service.log_tail()}")
        return httpx.get(url + path, timeout=2).status_code == status

    wait_until(answers, timeout=90, interval=0.2, message=f"{name} answering")
    return service, url


def run(ctx: kit.Run) -> dict[str, Any]:
    """The `http` and `analytics` parts, on one database and gateway with `--users` users."""
    out: dict[str, Any] = {"scenarios": {}, "accepted_jobs": None, "analytics": None}
    with ctx.stack("main") as stack:
        with kit.cursor_for(stack.database_url) as cursor:
            cursor.execute(CREATE_CEILING_TABLE)
        stack.start("gateway")
        users = kit.create_users(stack.database_url, ctx.jwt_secret, ctx.args.users)
        if kit.HTTP in ctx.selection:
            out["scenarios"], out["accepted_jobs"] = _http(ctx, stack, users)
        if kit.ANALYTICS in ctx.selection:
            kit.echo("==> analytics end to end")
            out["analytics"] = run_analytics(ctx, stack, users)
    return out


def _http(
    ctx: kit.Run, stack: Stack, users: list[kit.BenchUser]
) -> tuple[dict[str, ScenarioResult], dict[str, Any] | None]:
    hello, hello_url = _ceiling(stack, "hello", "/", 200)
    ceiling, url = _ceiling(stack, "ceiling", f"/select/{uuid.UUID(int=0)}", 404)
    read_jobs = create_read_jobs(stack.base_url, users)
    plan = gateway_scenarios(stack.base_url, stack["gateway"].pid, users, read_jobs)
    selects = [f"/select/{read_jobs[user.user_id]}\t" for user in users]
    ceilings = {
        "hello": ("ceiling: bare ASGI hello", hello_url, hello.pid, ["/\t"]),
        "ceiling_select": ("ceiling: FastAPI, 1 PK SELECT", url, ceiling.pid, selects),
        "ceiling_insert": ("ceiling: FastAPI, INSERT + LPUSH", url, ceiling.pid, ["/insert\t"]),
    }
    plan |= {key: Scenario(key, *spec) for key, spec in ceilings.items()}
    plan["ceiling_insert"].submit = True
    results: dict[str, ScenarioResult] = {}
    try:
        for key in (key for key in SCENARIO_KEYS if key in ctx.selection.scenarios):
            kit.echo(f"==> {plan[key].label}: {ctx.args.warmup}s warm-up + {ctx.args.duration}s")
            result = results[key] = run_scenario(ctx, plan[key], stack)
            kit.echo(f"    {result.result.rps:,.0f} req/s, CPU% {result.cpu}")
    finally:
        hello.stop()
        ceiling.stop()
    if "gateway_submit" not in ctx.selection.scenarios:
        return results, None
    accepted = set(read_jobs.values()) | results["gateway_submit"].accepted_ids
    lost = check_accepted(stack.database_url, ctx.redis_url, accepted)
    kit.echo(f"==> accepted jobs: {lost}")
    return results, lost


def run_analytics(ctx: kit.Run, stack: Stack, users: list[kit.BenchUser]) -> dict[str, Any]:
    """One job per seeded learner queued before one worker starts: the figure is its drain rate,
    jobs / (last `finished_at` − first `started_at`)."""
    args, database_url, api = ctx.args, stack.database_url, users[0].api(stack.base_url)
    shape = {"sessions": args.sessions, "answers": args.responses, "concepts": 8, "days": 29}
    owners = [user.user_id for user in users]
    with kit.cursor_for(database_url) as cursor:
        learners = kit.insert_learners(cursor, owners, "analytics-", args.learners, 0)
        kit.insert_history(cursor, [learner for _, learner in learners], **shape)
    token_of, ids = {user.user_id: user.token for user in users}, []
    for owner, learner_id in learners:
        api.http.headers["Authorization"] = f"Bearer {token_of[owner]}"
        response = api.submit_analytics(learner_id)
        ids += [response.json()["id"]] if response.status_code == 202 else []
    api.close()
    spawned = time.monotonic()
    stack.start("analytics-worker")
    worker, deadline = stack["analytics-worker"], spawned + max(120.0, args.learners / 10)
    with (
        ctx.profile("analytics", worker.pid, "analytics worker", pool=True),
        kit.Meter([worker.pid], database_url, ctx.redis_url) as meter,
    ):
        before, done = kit.wait_jobs(database_url, ids, [worker], deadline, poll_s=0.1, stall_s=30)
    wall_s = time.monotonic() - spawned
    rows = kit.job_times(database_url, ids)
    finished = [(float(row[1]), float(row[2])) for row in rows if row[0] in TERMINAL and row[2]]
    run_ms = [(end - start) * 1000 for start, end in finished]
    span_s = max(e for _, e in finished) - min(s for s, _ in finished) if finished else 0.0
    out = dict(jobs=len(ids), timed_out=done < len(ids), statuses=dict(Counter(r[0] for r in rows)))
    out |= dict(jobs_per_s=round(len(finished) / span_s, 1) if span_s else None)
    out |= dict(wall_jobs_per_s=round(done / wall_s, 1))
    out |= {f"job_run_ms_p{q}": kit.rounded(kit.percentile(run_ms, q)) for q in (50, 99)}
    # From the worker's "ready" to the last job done; app = the worker's processes.
    out |= dict(cpu_share_percent=meter.shares(), worker_cpu_ms_per_job=meter.ms_per(done - before))
    kit.echo(f"    {out}")
    return out


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


def run_wrk(
    ctx: kit.Run, url: str, duration_s: float, script: str, args: list[Path]
) -> tuple[WrkResult, float]:
    """Run wrk once with a Lua script of bench/lua: its report and the CPU seconds it used."""
    argv = ["wrk", f"-t{ctx.args.threads}", f"-c{ctx.args.connections}", f"-d{duration_s:g}s"]
    argv += ["--timeout=5s", "--latency", "-s", str(LUA_DIR / script), url, "--", *map(str, args)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=duration_s + 35)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"wrk exited with {done.returncode}:\n{done.stdout}{done.stderr}")
    cpu_s = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return parse(done.stdout), cpu_s


# The ceilings (docs/benchmarks.md): `hello`, a bare ASGI app, and `ceiling`, FastAPI on the
# gateway's own pool and Redis client, no auth, middleware or logging. Their own table and queue:
CEILING_TABLE = "bench_ceiling_rows"
CEILING_QUEUE = "bench_ceiling"
CREATE_CEILING_TABLE = f"""CREATE TABLE IF NOT EXISTS {CEILING_TABLE} (id uuid PRIMARY KEY,
    params jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"""
_HEADERS = [(b"content-type", b"text/plain"), (b"content-length", b"13")]
_START = {"type": "http.response.start", "status": 200, "headers": _HEADERS}
_BODY = {"type": "http.response.body", "body": b"Hello, world!"}


async def hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send(_START)
    await send(_BODY)


class SubmitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    concept: str
    content_type: str


def create_ceiling_app() -> FastAPI:
    settings = get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = await create_pool(settings)
        app.state.redis = create_redis(settings.celery_broker_url)
        try:
            yield
        finally:
            await app.state.redis.aclose()
            await app.state.pool.close()

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    select_sql = f"SELECT {COLUMNS} FROM jobs WHERE id = $1"
    insert_sql = f"INSERT INTO {CEILING_TABLE} (id, params) VALUES ($1, $2::jsonb)"

    @app.get("/select/{row_id}")
    async def select_one(row_id: uuid.UUID, request: Request, response: Response) -> Any:
        row = await request.app.state.pool.fetchrow(select_sql, row_id)
        if row is None:
            response.status_code = 404
            return {"detail": "not found"}
        return dict(row)

    @app.post("/insert", status_code=202)
    async def insert_and_push(data: SubmitIn, request: Request) -> Any:
        row_id = uuid.uuid4()
        await request.app.state.pool.execute(insert_sql, row_id, data.model_dump())
        message = task_message(GENERATE_CONTENT_TASK, CEILING_QUEUE, [str(row_id)])
        await request.app.state.redis.lpush(CEILING_QUEUE, message)
        return {"id": str(row_id)}

    return app


def serve(name: str, port: str) -> None:
    """`python -m bench.load NAME PORT`: a ceiling served as `python -m gateway` serves."""
    app, factory = ("create_ceiling_app", True) if name == "ceiling" else ("hello", False)
    options = {"loop": "uvloop", "http": "httptools", "access_log": False, "log_config": None}
    options |= {"host": "127.0.0.1", "workers": get_settings().web_concurrency}
    options |= {"timeout_graceful_shutdown": 5, "lifespan": "on" if factory else "off"}
    uvicorn.run(f"bench.load:{app}", factory=factory, port=int(port), **options)


if __name__ == "__main__":
    serve(*sys.argv[1:])
