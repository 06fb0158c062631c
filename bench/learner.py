"""The learner model at scale (`learner-big`, `learner-growth`, `learner-batch`).

Runs against its own migrated database and the run's (emptied) Redis database, with the gateway
and one analytics worker from `tests.support`'s `Stack` at the product's defaults (prefork,
`ANALYTICS_WORKER_CONCURRENCY` 2, production job timings). No sweeper runs, so answers posted
through the gateway do not schedule extra jobs during a measurement. Data is seeded with set-based
SQL (INSERT … SELECT generate_series).

learner-batch (first, while the database holds only the batch's learners): 10,000 learners × 100
answers over 10 concepts and 5 sessions each, then `ailp recompute-analytics --chunk 1000` with
the stack's environment. learners/s = jobs / (last `finished_at` − first `started_at`) over the
run's jobs (`batch_id`); the command's wall clock is reported beside it.

learner-big: one learner with 10,000 sessions and 100,000 answers over 300 concepts, spread over
the last 400 days. Three analytics jobs through the gateway, one after the other: cold (no stored
per-concept state: the worker folds all 100k answers), warm (continues from the stored states, no
new answers) and after 100 new answers posted through the gateway.

learner-growth: learners with 100, 1,000 and 10,000 answers (30 concepts; a session per 10
answers), a cold then a warm job each.

Per job: worker = `finished_at − started_at` (claim to the start of the transaction that stores
the result: the reads and the computation), to visible = `started_at` to when the bench, polling
every 5 ms, first sees the job succeeded (adds storing and the commit), and created → finished.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import redis
from pydantic import SecretStr

from ailp.config import Settings
from ailp.queue.names import ANALYTICS_QUEUE
from bench import cpu
from bench.load import cpu_ms_per_item
from bench.parts import LEARNER_BATCH, LEARNER_BIG, LEARNER_GROWTH, Selection
from bench.profile import PySpy
from bench.seed import BenchUser, backend_pids, create_users, cursor_for
from bench.servers import bench_env, clear_redis
from tests.support.database import create_database, drop_database
from tests.support.processes import REPO_ROOT, Stack

TERMINAL = ("succeeded", "failed", "canceled")
JOB_TIMEOUT_S = 120.0  # one job; the cold 100k-answer job takes seconds


@dataclass(frozen=True)
class LearnerSettings:
    big_sessions: int = 10_000
    big_responses: int = 100_000
    big_concepts: int = 300
    history_days: int = 400
    new_responses: int = 100
    growth_sizes: tuple[int, ...] = (100, 1_000, 10_000)
    growth_concepts: int = 30
    batch_learners: int = 10_000
    batch_responses: int = 100
    batch_concepts: int = 10
    batch_sessions: int = 5
    batch_chunk: int = 1000
    batch_timeout_s: float = 120.0


def run(
    selection: Selection,
    *,
    jwt_secret: str,
    redis_url: str,
    workdir: Path,
    cleanup: ExitStack,
    log: Any,
    settings: LearnerSettings,
    profile: set[str],
) -> dict[str, Any]:
    database_url = create_database("ailp_bench_learner")
    cleanup.callback(drop_database, database_url)
    clear_redis(redis_url)
    cleanup.callback(clear_redis, redis_url)
    stack = Stack(
        database_url=database_url,
        redis_url=redis_url,
        workdir=workdir,
        extra_env=bench_env(jwt_secret),
    )
    cleanup.callback(stack.stop)
    stack.start("gateway")
    stack.start("analytics-worker")
    owner = create_users(database_url, Settings(jwt_secret=SecretStr(jwt_secret)), 1)[0]
    out: dict[str, Any] = {
        "settings": {**settings.__dict__, "growth_sizes": list(settings.growth_sizes)}
    }
    runner = _Runner(stack, database_url, owner, workdir)

    if LEARNER_BATCH in selection:
        log(
            f"batch: seeding {settings.batch_learners:,} learners × {settings.batch_responses} "
            f"answers ({settings.batch_concepts} concepts) + {settings.batch_sessions} sessions"
        )
        out["batch"] = runner.batch(
            settings, log, workdir / "learner-batch.pyspy.txt" if LEARNER_BATCH in profile else None
        )
        b = out["batch"]
        log(
            f"  {b['succeeded']:,} of {b['jobs']:,} jobs in {b['span_s']}s = "
            f"{b['learners_per_s']} learners/s (command wall clock {b['wall_s']}s = "
            f"{b['wall_learners_per_s']} learners/s); CPU {cpu.brief(b['cpu_share_percent'])}"
        )

    if selection.parts & {LEARNER_BIG, LEARNER_GROWTH}:
        runner.warm_up()

    if LEARNER_BIG in selection:
        log(
            f"big learner: seeding {settings.big_sessions:,} sessions and "
            f"{settings.big_responses:,} answers over {settings.big_concepts} concepts, "
            f"{settings.history_days} days"
        )
        started = time.monotonic()
        learner_id = runner.seed_learner(
            "big",
            sessions=settings.big_sessions,
            responses=settings.big_responses,
            concepts=settings.big_concepts,
            days=settings.history_days,
        )
        seed_s = time.monotonic() - started
        jobs: dict[str, Any] = {}
        spy_to = workdir / "learner-big.pyspy.txt" if LEARNER_BIG in profile else None
        jobs["cold"] = runner.one_job(learner_id, profile_to=spy_to)
        log(f"  cold: {_brief(jobs['cold'])}")
        jobs["warm"] = runner.one_job(learner_id)
        log(f"  warm: {_brief(jobs['warm'])}")
        runner.post_responses(learner_id, settings.new_responses, settings.big_concepts)
        jobs["plus_new"] = runner.one_job(learner_id)
        log(f"  +{settings.new_responses} answers: {_brief(jobs['plus_new'])}")
        out["big"] = {
            "learner_id": learner_id,
            "sessions": settings.big_sessions,
            "responses": settings.big_responses,
            "concepts": settings.big_concepts,
            "new_responses": settings.new_responses,
            "seed_s": round(seed_s, 2),
            "jobs": jobs,
            "profile_file": str(spy_to) if spy_to else None,
        }

    if LEARNER_GROWTH in selection:
        growth = []
        for size in settings.growth_sizes:
            learner_id = runner.seed_learner(
                f"growth-{size}",
                sessions=max(1, size // 10),
                responses=size,
                concepts=min(settings.growth_concepts, size),
                days=settings.history_days,
            )
            cold = runner.one_job(learner_id)
            warm = runner.one_job(learner_id)
            growth.append(
                {
                    "responses": size,
                    "concepts": min(settings.growth_concepts, size),
                    "sessions": max(1, size // 10),
                    "cold": cold,
                    "warm": warm,
                }
            )
            log(f"  growth {size:,} answers: cold {_brief(cold)}; warm {_brief(warm)}")
        out["growth"] = growth
    return out


def _brief(job: dict[str, Any]) -> str:
    return (
        f"worker {job['worker_ms']:.0f} ms, to visible {job['started_to_visible_ms']:.0f} ms, "
        f"created→finished {job['created_to_finished_ms']:.0f} ms ({job['status']})"
    )


class _Runner:
    def __init__(self, stack: Stack, database_url: str, owner: BenchUser, workdir: Path) -> None:
        self.stack = stack
        self.database_url = database_url
        self.redis_url = stack.redis_url
        self.owner = owner
        self.workdir = workdir
        self.http = httpx.Client(
            base_url=stack.base_url,
            timeout=30,
            headers={"Authorization": f"Bearer {owner.token}"},
        )

    # -- seeding -------------------------------------------------------------------------------

    def seed_learner(
        self, niche: str, *, sessions: int, responses: int, concepts: int, days: int
    ) -> int:
        """One learner with `sessions` sessions and `responses` answers over `concepts` concepts
        spread over the last `days` days; some concepts are mostly right, others mostly wrong."""
        with cursor_for(self.database_url) as cursor:
            cursor.execute(
                """
                INSERT INTO learners (user_id, target_niche, experience_level,
                                      preferred_learning_style, learning_goals)
                VALUES (%s, %s, 'intermediate', 'reading', 'Benchmark learner.')
                RETURNING id
                """,
                (self.owner.user_id, niche),
            )
            learner_id = cursor.fetchone()[0]
            _insert_sessions(cursor, [learner_id], per_learner=sessions, days=days)
            cursor.execute(
                """
                INSERT INTO exercise_responses (learner_id, concept, correct, answered_at)
                SELECT %(learner)s, 'concept ' || lpad(c::text, 3, '0'),
                       random() < 0.3 + 0.65 * c::float8 / %(concepts)s,
                       now() - interval '1 hour' - random() * make_interval(days => %(days)s)
                FROM (SELECT 1 + (g %% %(concepts)s) AS c
                      FROM generate_series(1, %(responses)s) g) answers
                """,
                {
                    "learner": learner_id,
                    "concepts": concepts,
                    "responses": responses,
                    "days": days,
                },
            )
            cursor.execute("ANALYZE learning_sessions, exercise_responses, learners")
        return learner_id

    def seed_batch(self, settings: LearnerSettings) -> int:
        with cursor_for(self.database_url) as cursor:
            cursor.execute(
                """
                INSERT INTO learners (user_id, target_niche, experience_level,
                                      preferred_learning_style, learning_goals)
                SELECT %(owner)s, 'batch-' || g,
                       (ARRAY['beginner', 'intermediate', 'advanced'])[1 + g %% 3],
                       'reading', 'Benchmark learner.'
                FROM generate_series(1, %(learners)s) g
                RETURNING id
                """,
                {"owner": self.owner.user_id, "learners": settings.batch_learners},
            )
            ids = [row[0] for row in cursor.fetchall()]
            _insert_sessions(cursor, ids, per_learner=settings.batch_sessions, days=29)
            cursor.execute(
                """
                INSERT INTO exercise_responses (learner_id, concept, correct, answered_at)
                SELECT l, 'concept ' || lpad((1 + g %% %(concepts)s)::text, 3, '0'),
                       random() < 0.6,
                       now() - interval '1 hour' - random() * interval '60 days'
                FROM unnest(%(ids)s::bigint[]) l, generate_series(1, %(responses)s) g
                """,
                {
                    "ids": ids,
                    "concepts": settings.batch_concepts,
                    "responses": settings.batch_responses,
                },
            )
            cursor.execute("ANALYZE learning_sessions, exercise_responses, learners, jobs")
            cursor.execute("SELECT count(*) FROM learners")
            return int(cursor.fetchone()[0])

    def post_responses(self, learner_id: int, count: int, concepts: int) -> None:
        """`count` new answers through the gateway, newer than every stored one."""
        now = datetime.now(UTC)
        items = [
            {
                "concept": f"concept {1 + (index * 7) % concepts:03d}",
                "correct": index % 3 != 0,
                "answered_at": (now - timedelta(seconds=count - index)).isoformat(),
            }
            for index in range(count)
        ]
        response = self.http.post(
            f"/api/learners/{learner_id}/responses", json={"responses": items}
        )
        if response.status_code != 201:
            raise RuntimeError(f"posting answers failed: {response.status_code} {response.text}")

    # -- jobs ------------------------------------------------------------------------------------

    def warm_up(self) -> None:
        """A few small jobs first, so the pool's processes have their connections and caches."""
        learner_id = self.seed_learner("warm-up", sessions=20, responses=200, concepts=10, days=60)
        for _ in range(3):
            job = self.one_job(learner_id)
            if job["status"] != "succeeded":
                raise RuntimeError(
                    f"warm-up analytics job {job['job_id']} is {job['status']} (not published? "
                    f"see the gateway's and the analytics worker's logs in {self.workdir})"
                )

    def one_job(self, learner_id: int, profile_to: Path | None = None) -> dict[str, Any]:
        worker = self.stack["analytics-worker"]
        spy = PySpy(worker.pid, profile_to) if profile_to else None
        if spy is not None:
            time.sleep(1.0)  # py-spy attaches to every process of the tree first
        before = cpu.sample()
        response = self.http.post(f"/api/learners/{learner_id}/analytics", json={})
        if response.status_code != 202:
            raise RuntimeError(f"analytics request failed: {response.status_code} {response.text}")
        job_id = response.json()["id"]
        visible_at = None
        status = "queued"
        deadline = time.monotonic() + JOB_TIMEOUT_S
        with cursor_for(self.database_url) as cursor:
            while time.monotonic() < deadline:
                cursor.execute("SELECT status FROM jobs WHERE id = %s", (job_id,))
                status = cursor.fetchone()[0]
                if status in TERMINAL:
                    visible_at = time.time()
                    break
                if not worker.alive:
                    raise RuntimeError(f"analytics worker exited:\n{worker.log_tail()}")
                time.sleep(0.005)
            after = cpu.sample()
            cursor.execute(
                """
                SELECT extract(epoch FROM created_at), extract(epoch FROM started_at),
                       extract(epoch FROM finished_at), attempts, error_code,
                       octet_length(result::text)
                FROM jobs WHERE id = %s
                """,
                (job_id,),
            )
            created, started, finished, attempts, error_code, result_bytes = cursor.fetchone()
        if spy is not None:
            spy.stop()
        shares = cpu.usage(
            before, after, [worker.pid], 0.0, postgres_backends=backend_pids(self.database_url)
        )
        shares.pop("wrk", None)
        interval_s = after.wall - before.wall

        def ms(a: Any, b: Any) -> float | None:
            return (
                round((float(b) - float(a)) * 1000, 1) if a is not None and b is not None else None
            )

        return {
            "job_id": job_id,
            "status": status,
            "attempts": attempts,
            "error_code": error_code,
            "result_bytes": result_bytes,
            "worker_ms": ms(started, finished),
            "started_to_visible_ms": ms(started, visible_at),
            "created_to_finished_ms": ms(created, finished),
            "created_to_visible_ms": ms(created, visible_at),
            # CPU the worker's processes and the database's backends spent while the bench
            # waited for this job (the job, plus Celery's and the pool's own bits).
            "worker_cpu_ms": round(cpu.tree_seconds(before, after, [worker.pid]) * 1000, 1),
            "postgres_cpu_ms": cpu_ms_per_item(shares.get("postgres"), interval_s, 1),
            "cpu_share_percent": shares,
        }

    def _drop_batch_leftovers(self) -> None:
        """After a run stopped at the time bound: cancel its unfinished jobs, drop its queued
        messages and wait for the worker's current delivery, so the next jobs run alone."""
        with cursor_for(self.database_url) as cursor:
            cursor.execute(
                "UPDATE jobs SET status = 'canceled', finished_at = now() "
                "WHERE batch_id IS NOT NULL AND status = 'queued'"
            )
        client = redis.Redis.from_url(self.redis_url)
        try:
            client.delete(ANALYTICS_QUEUE)
        finally:
            client.close()
        deadline = time.monotonic() + 60
        with cursor_for(self.database_url) as cursor:
            while time.monotonic() < deadline:
                cursor.execute(
                    "SELECT count(*) FROM jobs WHERE batch_id IS NOT NULL AND status = 'running'"
                )
                if cursor.fetchone()[0] == 0:
                    return
                time.sleep(0.2)

    def batch(self, settings: LearnerSettings, log: Any, profile_to: Path | None) -> dict[str, Any]:
        started = time.monotonic()
        learners = self.seed_batch(settings)
        seed_s = time.monotonic() - started
        log(
            f"  seeded in {seed_s:.1f}s; running ailp recompute-analytics --chunk {settings.batch_chunk}"
        )
        worker = self.stack["analytics-worker"]
        command_log = self.workdir / "recompute-analytics.log"
        spy = PySpy(worker.pid, profile_to) if profile_to else None
        before = cpu.sample()
        began = time.time()
        # The command has exited before the `after` sample, so /proc no longer shows it: its CPU
        # is what this process's waited-for children gained meanwhile (taken before py-spy,
        # also a child, is waited for).
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with command_log.open("wb") as output:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ailp.cli",
                    "recompute-analytics",
                    "--chunk",
                    str(settings.batch_chunk),
                ],
                cwd=REPO_ROOT,
                env=self.stack["gateway"].env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            timed_out = False
            try:
                process.wait(settings.batch_timeout_s)
            except subprocess.TimeoutExpired:
                timed_out = True
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        command_cpu_s = (children_after.ru_utime - children_before.ru_utime) + (
            children_after.ru_stime - children_before.ru_stime
        )
        wall_s = time.time() - began
        after = cpu.sample()
        if spy is not None:
            spy.stop()
        pg_backends = backend_pids(self.database_url)
        shares = cpu.usage(
            before,
            after,
            [worker.pid],
            0.0,
            postgres_backends=pg_backends,
            app_extra_s=command_cpu_s,
        )
        shares.pop("wrk", None)
        interval_s = after.wall - before.wall
        with cursor_for(self.database_url) as cursor:
            cursor.execute(
                """
                SELECT count(*), count(*) FILTER (WHERE status = 'succeeded'),
                       count(*) FILTER (WHERE status = 'failed'),
                       extract(epoch FROM min(started_at)),
                       extract(epoch FROM max(finished_at) FILTER (WHERE status = 'succeeded')),
                       count(DISTINCT started_at)
                FROM jobs WHERE batch_id IS NOT NULL
                """
            )
            jobs, succeeded, failed, first_start, last_finish, claims = cursor.fetchone()
        if timed_out:
            log(f"  stopped after {settings.batch_timeout_s:g}s (the benchmark's time bound)")
            self._drop_batch_leftovers()
        span_s = float(last_finish) - float(first_start) if first_start and last_finish else 0.0
        app_ms = cpu_ms_per_item(shares.get("app"), interval_s, succeeded)
        pg_ms = cpu_ms_per_item(shares.get("postgres"), interval_s, succeeded)
        redis_ms = cpu_ms_per_item(shares.get("redis"), interval_s, succeeded) or 0.0
        return {
            "learners": learners,
            "seed_s": round(seed_s, 2),
            "jobs": jobs,
            "succeeded": succeeded,
            "failed": failed,
            "claims": claims,  # deliveries: each claims its message's jobs at one started_at
            "timed_out": timed_out,
            "exit_code": process.returncode,
            "span_s": round(span_s, 2),
            "learners_per_s": round(succeeded / span_s, 1) if span_s > 0 else None,
            "wall_s": round(wall_s, 2),
            "wall_learners_per_s": round(succeeded / wall_s, 1) if wall_s > 0 else None,
            "command_cpu_s": round(command_cpu_s, 3),
            "cpu_share_percent": shares,
            # CPU per learner of the worker (+ the command) and of the database's backends, and
            # the rate a quiet machine of this many cores would reach if they were the only load.
            "app_cpu_ms_per_learner": app_ms,
            "postgres_cpu_ms_per_learner": pg_ms,
            "quiet_estimate_learners_per_s": round(
                (os.cpu_count() or 1) * 1000 / (app_ms + pg_ms + redis_ms), 1
            )
            if app_ms and pg_ms
            else None,
            "command_log": str(command_log),
            "profile_file": str(profile_to) if profile_to else None,
        }


def _insert_sessions(cursor: Any, learner_ids: list[int], *, per_learner: int, days: int) -> None:
    cursor.execute(
        """
        INSERT INTO learning_sessions (learner_id, session_start, session_end, duration_minutes,
                                       exercises_count, completion_rate, performance_score)
        SELECT id, start, start + make_interval(mins => duration), duration, exercises,
               completion, performance
        FROM (
            SELECT l AS id,
                   now() - interval '2 hours' - random() * make_interval(days => %(days)s) AS start,
                   (10 + floor(random() * 80))::int AS duration,
                   floor(random() * 10)::int AS exercises,
                   random() AS completion,
                   random() AS performance
            FROM unnest(%(ids)s::bigint[]) l, generate_series(1, %(sessions)s)
        ) s
        """,
        {"ids": learner_ids, "sessions": per_learner, "days": days},
    )
