"""The learner model at scale, on its own database with the gateway and one analytics worker at
the product's defaults (no sweeper, so answers posted through the gateway schedule no extra jobs).

learner-batch (first, while the database holds only its learners): `--batch-learners` learners ×
`--batch-responses` answers over 10 concepts and 5 sessions each, then `ailp recompute-analytics
--chunk 1000`; learners/s = jobs / (last `finished_at` − first `started_at`), the command's wall
clock beside it. learner-big: one learner with `--big-sessions` sessions and `--big-responses`
answers over `--big-concepts` concepts in the last 400 days; cold (no stored per-concept state),
warm (nothing new) and +100 answers jobs. learner-growth: learners with `--growth` answers (30
concepts, a session per 10 answers), a cold then a warm job each.

Per job: worker = `finished_at − started_at` (the reads and the computation); visible =
`started_at` until the bench, polling every 5 ms, sees it succeeded (storing and commit added).
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import redis

from ailp.queue.names import ANALYTICS_QUEUE
from bench import cpu
from bench.kit import Run, ailp
from bench.parts import LEARNER_BATCH, LEARNER_BIG, LEARNER_GROWTH
from bench.seed import BenchUser, create_users, cursor_for, insert_history, insert_learners
from tests.support.api import TERMINAL
from tests.support.processes import Stack

JOB_TIMEOUT_S = 120.0  # one job; the cold 100k-answer job takes seconds
HISTORY_DAYS = 400
NEW_RESPONSES = 100
GROWTH_CONCEPTS = 30
BATCH = {"concepts": 10, "sessions": 5, "chunk": 1000}


def run(ctx: Run) -> dict[str, Any]:
    args, selection = ctx.args, ctx.selection
    settings = {k: v for k, v in vars(args).items() if k.startswith(("big_", "batch_"))}
    settings["growth_sizes"] = [int(n) for n in args.growth.split(",") if n.strip()]
    out: dict[str, Any] = {"settings": settings}
    with ctx.stack("learner") as stack:
        stack.start("gateway", "analytics-worker")
        owner = create_users(stack.database_url, ctx.jwt_secret, 1)[0]
        runner = Runner(stack, owner, ctx.redis_url)
        if LEARNER_BATCH in selection:
            out["batch"] = b = _batch(ctx, runner)
            ctx.log(
                f"  {b['succeeded']:,} of {b['jobs']:,} jobs in {b['span_s']}s = "
                f"{b['learners_per_s']} learners/s (command wall clock {b['wall_s']}s)"
            )
        if selection.parts & {LEARNER_BIG, LEARNER_GROWTH}:
            runner.warm_up()
        if LEARNER_BIG in selection:
            ctx.log(f"big learner: {args.big_responses:,} answers, {args.big_sessions:,} sessions")
            started = time.monotonic()
            learner_id = runner.seed_learner(
                "big",
                sessions=args.big_sessions,
                answers=args.big_responses,
                concepts=args.big_concepts,
            )
            seed_s = round(time.monotonic() - started, 2)
            worker = stack["analytics-worker"]
            jobs = {}
            with ctx.profile(
                LEARNER_BIG, worker.pid, "analytics worker, cold job", "Worker.workloop"
            ):
                if LEARNER_BIG in ctx.profiled:
                    time.sleep(1.0)  # py-spy attaches to every process of the tree first
                jobs["cold"] = runner.one_job(learner_id)
            jobs["warm"] = runner.one_job(learner_id)
            runner.post_responses(learner_id, NEW_RESPONSES, args.big_concepts)
            jobs["plus_new"] = runner.one_job(learner_id)
            for key, job in jobs.items():
                ctx.log(f"  {key}: {_brief(job)}")
            out["big"] = {
                "learner_id": learner_id,
                "sessions": args.big_sessions,
                "responses": args.big_responses,
                "concepts": args.big_concepts,
                "new_responses": NEW_RESPONSES,
                "seed_s": seed_s,
                "jobs": jobs,
            }
        if LEARNER_GROWTH in selection:
            out["growth"] = []
            for size in settings["growth_sizes"]:
                shape = {"responses": size, "concepts": min(GROWTH_CONCEPTS, size)}
                shape["sessions"] = max(1, size // 10)
                learner_id = runner.seed_learner(
                    f"growth-{size}",
                    sessions=shape["sessions"],
                    answers=size,
                    concepts=shape["concepts"],
                )
                cold, warm = runner.one_job(learner_id), runner.one_job(learner_id)
                out["growth"].append({**shape, "cold": cold, "warm": warm})
                ctx.log(f"  growth {size:,} answers: cold {_brief(cold)}; warm {_brief(warm)}")
    return out


def _brief(job: dict[str, Any]) -> str:
    return (
        f"worker {job['worker_ms']} ms, to visible {job['started_to_visible_ms']} ms, "
        f"created→finished {job['created_to_finished_ms']} ms ({job['status']})"
    )


class Runner:
    """One owner's learners on a stack with an analytics worker: seeding and timed jobs."""

    def __init__(self, stack: Stack, owner: BenchUser, redis_url: str) -> None:
        self.stack, self.owner, self.redis_url = stack, owner, redis_url
        self.database_url = stack.database_url
        self.api = owner.api(stack.base_url)

    def seed_learner(
        self, niche: str, *, sessions: int, answers: int, concepts: int, days: int = HISTORY_DAYS
    ) -> int:
        """One learner; some concepts mostly answered right, others mostly wrong."""
        with cursor_for(self.database_url) as cursor:
            [(_, learner_id)] = insert_learners(cursor, [self.owner.user_id], niche, 1)
            insert_history(
                cursor,
                [learner_id],
                sessions=sessions,
                answers=answers,
                concepts=concepts,
                days=days,
                graded=True,
            )
        return int(learner_id)

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
        response = self.api.http.post(
            f"/api/learners/{learner_id}/responses", json={"responses": items}
        )
        if response.status_code != 201:
            raise RuntimeError(f"posting answers failed: {response.status_code} {response.text}")

    def warm_up(self) -> None:
        """A few small jobs first, so the pool's processes have their connections and caches."""
        learner_id = self.seed_learner("warm-up", sessions=20, answers=200, concepts=10, days=60)
        for _ in range(3):
            job = self.one_job(learner_id)
            if job["status"] != "succeeded":
                raise RuntimeError(
                    f"warm-up analytics job {job['job_id']} is {job['status']} (see the gateway's "
                    f"and the analytics worker's logs in {self.stack.workdir})"
                )

    def one_job(self, learner_id: int) -> dict[str, Any]:
        worker = self.stack["analytics-worker"]
        with (
            cpu.Meter([worker.pid], self.database_url, self.redis_url) as meter,
            cursor_for(self.database_url) as cursor,
        ):
            response = self.api.submit_analytics(learner_id)
            if response.status_code != 202:
                raise RuntimeError(
                    f"analytics request failed: {response.status_code} {response.text}"
                )
            job_id, status, visible_at = response.json()["id"], "queued", None
            deadline = time.monotonic() + JOB_TIMEOUT_S
            while time.monotonic() < deadline:
                cursor.execute("SELECT status FROM jobs WHERE id = %s", (job_id,))
                status = cursor.fetchone()[0]
                if status in TERMINAL:
                    visible_at = time.time()
                    break
                if not worker.alive:
                    raise RuntimeError(f"analytics worker exited:\n{worker.log_tail()}")
                time.sleep(0.005)
        with cursor_for(self.database_url) as cursor:
            cursor.execute(
                "SELECT extract(epoch FROM created_at), extract(epoch FROM started_at), "
                "extract(epoch FROM finished_at), attempts, error_code, octet_length(result::text) "
                "FROM jobs WHERE id = %s",
                (job_id,),
            )
            created, started, finished, attempts, error_code, result_bytes = cursor.fetchone()

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
            # CPU of the worker's processes and the database's backends while the bench waited
            # for this job (the job, plus Celery's and the pool's own bits).
            "worker_cpu_ms": round(meter.cpu_s("app") * 1000, 1),
            "postgres_cpu_ms": meter.ms_per(1, "postgres"),
            "cpu_share_percent": meter.shares(),
        }


def _batch(ctx: Run, runner: Runner) -> dict[str, Any]:
    args, database_url = ctx.args, runner.database_url
    ctx.log(f"batch: seeding {args.batch_learners:,} learners × {args.batch_responses} answers")
    started = time.monotonic()
    with cursor_for(database_url) as cursor:
        created = insert_learners(cursor, [runner.owner.user_id], "batch-", args.batch_learners)
        insert_history(
            cursor,
            [learner for _, learner in created],
            sessions=BATCH["sessions"],
            answers=args.batch_responses,
            concepts=BATCH["concepts"],
            days=60,
            session_days=29,
        )
        cursor.execute("SELECT count(*) FROM learners")
        learners = int(cursor.fetchone()[0])
    seed_s = time.monotonic() - started
    ctx.log(f"  seeded in {seed_s:.1f}s; running ailp recompute-analytics --chunk {BATCH['chunk']}")
    worker = runner.stack["analytics-worker"]
    with (
        ctx.profile(LEARNER_BATCH, worker.pid, "analytics worker, batch", "Worker.workloop"),
        cpu.Meter([worker.pid], database_url, ctx.redis_url) as meter,
    ):
        command = ailp(
            ["recompute-analytics", "--chunk", str(BATCH["chunk"])],
            runner.stack["gateway"].env,
            ctx.workdir / "recompute-analytics.log",
            args.batch_timeout,
        )
    with cursor_for(database_url) as cursor:
        cursor.execute(
            """
            SELECT count(*), count(*) FILTER (WHERE status = 'succeeded'),
                   count(*) FILTER (WHERE status = 'failed'), extract(epoch FROM min(started_at)),
                   extract(epoch FROM max(finished_at) FILTER (WHERE status = 'succeeded')),
                   count(DISTINCT started_at)
            FROM jobs WHERE batch_id IS NOT NULL
            """
        )
        jobs, succeeded, failed, first_start, last_finish, claims = cursor.fetchone()
    if command.timed_out:
        ctx.log(f"  stopped after {args.batch_timeout:g}s (the benchmark's time bound)")
        _drop_batch_leftovers(database_url, ctx.redis_url)
    span_s = float(last_finish) - float(first_start) if first_start and last_finish else 0.0
    app_ms = meter.ms_per(succeeded, extra_s=command.cpu_s)
    pg_ms = meter.ms_per(succeeded, "postgres")
    redis_ms = meter.ms_per(succeeded, "redis") or 0.0
    return {
        "learners": learners,
        "seed_s": round(seed_s, 2),
        "jobs": jobs,
        "succeeded": succeeded,
        "failed": failed,
        "claims": claims,  # deliveries: each claims its message's jobs at one started_at
        "timed_out": command.timed_out,
        "exit_code": command.returncode,
        "span_s": round(span_s, 2),
        "learners_per_s": round(succeeded / span_s, 1) if span_s > 0 else None,
        "wall_s": round(command.wall_s, 2),
        "wall_learners_per_s": round(succeeded / command.wall_s, 1) if command.wall_s > 0 else None,
        "command_cpu_s": round(command.cpu_s, 3),
        "cpu_share_percent": meter.shares(app_extra_s=command.cpu_s),
        # CPU per learner of the worker (+ the command) and of the database's backends, and the
        # rate a quiet machine of this many cores would reach if they were the only load.
        "app_cpu_ms_per_learner": app_ms,
        "postgres_cpu_ms_per_learner": pg_ms,
        "quiet_estimate_learners_per_s": round(
            (os.cpu_count() or 1) * 1000 / (app_ms + pg_ms + redis_ms), 1
        )
        if app_ms and pg_ms
        else None,
    }


def _drop_batch_leftovers(database_url: str, redis_url: str) -> None:
    """After a run stopped at the time bound: cancel its unfinished jobs, drop its queued
    messages and wait for the worker's current delivery, so the next jobs run alone."""
    with cursor_for(database_url) as cursor:
        cursor.execute(
            "UPDATE jobs SET status = 'canceled', finished_at = now() "
            "WHERE batch_id IS NOT NULL AND status = 'queued'"
        )
        redis.Redis.from_url(redis_url).delete(ANALYTICS_QUEUE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM jobs WHERE batch_id IS NOT NULL AND status = 'running'"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.2)
