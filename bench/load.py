"""The HTTP scenarios: each ceiling and each gateway endpoint under the same wrk load.

Every scenario runs wrk twice with the same settings: a warm-up (pools filled, code paths warm)
whose figures are discarded, then the measured run. Submissions record every response (status and
`Location`) so that `check_accepted` can prove no accepted job was lost.
"""

from __future__ import annotations

import base64
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import redis

from ailp.queue.names import CONTENT_QUEUE
from bench import cpu, wrk
from bench.apps import CEILING_QUEUE, CEILING_TABLE
from bench.profile import PySpy
from bench.seed import BenchUser, backend_pids, cursor_for
from bench.servers import Servers


@dataclass(frozen=True)
class LoadSettings:
    duration_s: float
    warmup_s: float
    connections: int
    threads: int


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
    raw: str
    warmup: wrk.WrkResult | None = None
    statuses: dict[str, int] = field(default_factory=dict)
    accepted_ids: set[str] = field(default_factory=set)
    cpu: dict[str, float] = field(default_factory=dict)
    loadavg: float = 0.0

    @property
    def app_cpu_ms(self) -> float | None:
        """CPU milliseconds the serving processes spent per request: unlike req/s, this hardly
        depends on how much of the machine other processes took during the run."""
        return cpu_ms_per_item(self.cpu.get("app"), self.result.duration_s, self.result.requests)

    @property
    def total_cpu_ms(self) -> float | None:
        """CPU ms per request of everything the request needs: the app, wrk, the database's
        backends and Redis. On a saturated quiet machine, req/s ≈ cores / this."""
        if not self.cpu:
            return None
        share = sum(self.cpu.get(name, 0.0) for name in ("app", "wrk", "postgres", "redis"))
        return cpu_ms_per_item(share, self.result.duration_s, self.result.requests)

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
            "postgres_cpu_ms_per_request": cpu_ms_per_item(
                self.cpu.get("postgres"), self.result.duration_s, self.result.requests
            ),
            "loadavg_1m_at_start": self.loadavg,
        }


def cpu_ms_per_item(share: float | None, seconds: float, items: int) -> float | None:
    """CPU ms per item from a share of the machine (percent of all cores) over `seconds`."""
    if share is None or not items:
        return None
    return round(share / 100 * (os.cpu_count() or 1) * seconds * 1000 / items, 3)


def run_scenario(
    scenario: Scenario,
    settings: LoadSettings,
    workdir: Path,
    database_url: str,
    profile_to: Path | None = None,
) -> ScenarioResult:
    """Warm up, then measure; with `profile_to`, py-spy samples the server during the measure."""
    targets = workdir / f"targets-{scenario.key}.txt"
    targets.write_text("\n".join(scenario.targets) + "\n")
    script = "submit.lua" if scenario.submit else "requests.lua"
    phases: dict[str, tuple[wrk.WrkResult, str, float]] = {}
    statuses: Counter[str] = Counter()
    accepted: set[str] = set()
    shares: dict[str, float] = {}
    loadavg = os.getloadavg()[0]
    for phase, seconds in (("warmup", settings.warmup_s), ("measure", settings.duration_s)):
        if seconds <= 0:
            continue
        args = [str(targets)]
        out_dir = workdir / "responses" / scenario.key / phase
        if scenario.submit:
            out_dir.mkdir(parents=True, exist_ok=True)
            args.append(str(out_dir))
        spy = PySpy(scenario.server_pid, profile_to) if profile_to and phase == "measure" else None
        before = cpu.sample()
        phases[phase] = wrk.run(
            scenario.base_url,
            duration_s=seconds,
            connections=settings.connections,
            threads=settings.threads,
            script=script,
            script_args=args,
        )
        if spy is not None:
            spy.stop()
        if phase == "measure":
            after = cpu.sample()
            shares = cpu.usage(
                before,
                after,
                [scenario.server_pid],
                phases[phase][2],
                postgres_backends=backend_pids(database_url),
            )
        if scenario.submit:
            phase_statuses, phase_ids = read_responses(out_dir)
            accepted |= phase_ids
            if phase == "measure":
                statuses = phase_statuses
    result, raw, _ = phases["measure"]
    return ScenarioResult(
        key=scenario.key,
        label=scenario.label,
        result=result,
        raw=raw,
        warmup=phases["warmup"][0] if "warmup" in phases else None,
        statuses=dict(sorted(statuses.items())),
        accepted_ids=accepted,
        cpu=shares,
        loadavg=round(loadavg, 2),
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


def create_read_jobs(gateway_url: str, users: list[BenchUser]) -> dict[int, str]:
    """One queued content job per user through the real API (also proves the tokens work)."""
    jobs: dict[int, str] = {}
    with httpx.Client(base_url=gateway_url, timeout=30) as client:
        for user in users:
            response = client.post(
                f"/api/learners/{user.learner_id}/generate-content",
                json={"concept": "SQL joins", "content_type": "lesson"},
                headers={"Authorization": f"Bearer {user.token}"},
            )
            if response.status_code != 202:
                raise RuntimeError(
                    f"setup submission failed: {response.status_code} {response.text}"
                )
            jobs[user.user_id] = response.json()["id"]
    return jobs


# The HTTP scenarios' keys in run order (`scenarios` builds them; `--only` accepts them).
SCENARIO_KEYS = (
    "hello",
    "ceiling_select",
    "gateway_get_job",
    "gateway_get_learner",
    "ceiling_insert",
    "gateway_submit",
)


def scenarios(
    servers: Servers,
    users: list[BenchUser],
    read_jobs: dict[int, str],
) -> list[Scenario]:
    """In run order: each gateway scenario right after its ceiling, so both see similar noise."""
    hello = (servers.ceiling_urls["hello"], servers.ceilings["hello"].pid)
    ceiling = (servers.ceiling_urls["ceiling"], servers.ceilings["ceiling"].pid)
    gateway = (servers.gateway_url, servers.stack["gateway"].pid)
    return [
        Scenario("hello", "ceiling: bare ASGI hello", *hello, ["/\t"]),
        Scenario(
            "ceiling_select",
            "ceiling: FastAPI, 1 PK SELECT",
            *ceiling,
            [f"/select/{read_jobs[user.user_id]}\t" for user in users],
        ),
        Scenario(
            "gateway_get_job",
            "gateway: GET /api/jobs/{id}",
            *gateway,
            [f"/api/jobs/{read_jobs[user.user_id]}\t{user.token}" for user in users],
        ),
        Scenario(
            "gateway_get_learner",
            "gateway: GET /api/learners/{id}",
            *gateway,
            [f"/api/learners/{user.learner_id}\t{user.token}" for user in users],
        ),
        Scenario(
            "ceiling_insert",
            "ceiling: FastAPI, INSERT + LPUSH",
            *ceiling,
            ["/insert\t"],
            submit=True,
        ),
        Scenario(
            "gateway_submit",
            "gateway: POST …/generate-content",
            *gateway,
            [f"/api/learners/{user.learner_id}/generate-content\t{user.token}" for user in users],
            submit=True,
        ),
    ]


def broker_job_ids(client: redis.Redis, queue: str) -> list[str]:
    """The job id (the task's only argument) of every message waiting in `queue`."""
    ids = []
    for raw in client.lrange(queue, 0, -1):
        message = orjson.loads(raw)
        args, _kwargs, _embed = orjson.loads(base64.b64decode(message["body"]))
        ids.append(str(args[0]))
    return ids


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
        queued = broker_job_ids(client, CONTENT_QUEUE)
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
