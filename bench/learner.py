"""The learner model at scale, on its own database with the gateway and one analytics worker at
the product's defaults (no sweeper: posted answers schedule no extra jobs): learner-batch first,
while the database holds only its learners, then learner-big and learner-growth; and the fit."""

from __future__ import annotations

import io
import os
import signal
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import redis

from ailp.learner_model.answers import read_dkt
from ailp.queue.names import ANALYTICS_QUEUE
from bench import kit
from tests.support.api import TERMINAL
from tests.support.database import create_database, drop_database
from tests.support.processes import REPO_ROOT, Stack

DATA = REPO_ROOT / "data" / "assistments2009" / "builder_train.csv"
BATCH_SQL = """SELECT count(*), count(*) FILTER (WHERE status = 'succeeded'),
    count(*) FILTER (WHERE status = 'failed'),
    extract(epoch FROM max(finished_at) FILTER (WHERE status = 'succeeded') - min(started_at))
    FROM jobs WHERE batch_id IS NOT NULL"""
FIT_SQL = """SELECT duration_seconds, answers, evaluation, (SELECT count(*)
    FROM learner_model_concept_params p WHERE p.version_id = v.id)
    FROM learner_model_versions v ORDER BY v.id DESC LIMIT 1"""


def run(ctx: kit.Run) -> dict[str, Any]:
    """The learner model at scale."""
    args, parts = ctx.args, ctx.selection.parts
    settings = {k: v for k, v in vars(args).items() if k.startswith(("big_", "batch_", "growth"))}
    out: dict[str, Any] = {"settings": settings}
    with ctx.stack("learner") as stack:
        stack.start("gateway", "analytics-worker")
        owner = kit.create_users(stack.database_url, ctx.jwt_secret, 1)[0]
        runner, worker = Runner(stack, owner, ctx.redis_url), stack["analytics-worker"].pid
        if kit.LEARNER_BATCH in parts:
            out["batch"] = _batch(ctx, runner)
        if parts & {kit.LEARNER_BIG, kit.LEARNER_GROWTH}:  # the pool's connections, caches first
            warm_up = runner.seed_learner("warm-up", 20, 200, 10, days=60)
            for job in (runner.one_job(warm_up) for _ in range(3)):
                if job["status"] != "succeeded":
                    raise RuntimeError(f"warm-up job {job['job_id']} {job['status']}: see the logs")
        if kit.LEARNER_BIG in parts:
            big = {"sessions": args.big_sessions, "responses": args.big_responses}
            big |= {"concepts": args.big_concepts, "new_responses": 100}
            learner = runner.seed_learner("big", big["sessions"], big["responses"], big["concepts"])
            with ctx.profile(kit.LEARNER_BIG, worker, "analytics worker, cold job", pool=True):
                time.sleep(1.0 if kit.LEARNER_BIG in ctx.profiled else 0)  # py-spy attaches first
                jobs = {"cold": runner.one_job(learner)}
            jobs["warm"] = runner.one_job(learner)
            now = datetime.now(UTC)  # 100 answers through the gateway, newer than all stored
            answers = [
                {"concept": f"concept {1 + (i * 7) % args.big_concepts:03d}", "correct": i % 3 != 0}
                | {"answered_at": (now - timedelta(seconds=100 - i)).isoformat()}
                for i in range(100)
            ]
            path = f"/api/learners/{learner}/responses"
            posted = runner.api.http.post(path, json={"responses": answers})
            if posted.status_code != 201:
                raise RuntimeError(f"posting answers: {posted.status_code} {posted.text}")
            out["big"] = {**big, "jobs": {**jobs, "plus_new": runner.one_job(learner)}}
            kit.echo(f"    big learner: {out['big']['jobs']}")
        for size in map(int, args.growth.split(",") if kit.LEARNER_GROWTH in parts else []):
            shape = {"sessions": max(1, size // 10), "responses": size, "concepts": min(30, size)}
            learner = runner.seed_learner(f"growth-{size}", *shape.values())
            cold, warm = runner.one_job(learner), runner.one_job(learner)
            out.setdefault("growth", []).append({**shape, "cold": cold, "warm": warm})
    return out


class Runner:
    def __init__(self, stack: Stack, owner: kit.BenchUser, redis_url: str) -> None:
        self.stack, self.owner, self.redis_url = stack, owner, redis_url
        self.database_url, self.api = stack.database_url, owner.api(stack.base_url)

    def seed_learner(
        self, niche: str, sessions: int, answers: int, concepts: int, days: int = 400
    ) -> int:
        """One learner; some concepts mostly answered right, others mostly wrong."""
        shape = {"sessions": sessions, "answers": answers, "concepts": concepts, "days": days}
        with kit.cursor_for(self.database_url) as cursor:
            [(_, learner_id)] = kit.insert_learners(cursor, [self.owner.user_id], niche, 1)
            kit.insert_history(cursor, [learner_id], **shape, graded=True)
        return int(learner_id)

    def one_job(self, learner_id: int) -> dict[str, Any]:
        worker = self.stack["analytics-worker"]
        with kit.Meter([worker.pid], self.database_url, self.redis_url) as meter:
            response = self.api.submit_analytics(learner_id)
            if response.status_code != 202:
                raise RuntimeError(f"analytics request: {response.status_code} {response.text}")
            job_id = response.json()["id"]
            kit.wait_jobs(self.database_url, [job_id], [worker], time.monotonic() + 120, 0.005)
            visible = time.time()
        [(status, started, finished)] = kit.job_times(self.database_url, [job_id])
        visible = visible if status in TERMINAL else None

        def ms(a: Any, b: Any) -> float | None:
            return round((float(b) - float(a)) * 1000, 1) if None not in (a, b) else None

        out = dict(job_id=job_id, status=status, worker_ms=ms(started, finished))
        out |= dict(started_to_visible_ms=ms(started, visible), cpu_share_percent=meter.shares())
        # The worker's CPU while the bench waited: the job, plus Celery's and the pool's own bits.
        return out | dict(worker_cpu_ms=round(meter.cpu_s("app") * 1000, 1))


def _batch(ctx: kit.Run, runner: Runner) -> dict[str, Any]:
    """`--batch-learners` learners × `--batch-responses` answers over 10 concepts, 5 sessions
    each; learners/s = jobs / (last `finished_at` − first `started_at`)."""
    args, database_url, worker = ctx.args, runner.database_url, runner.stack["analytics-worker"]
    shape = {"sessions": 5, "answers": args.batch_responses, "concepts": 10, "days": 60}
    owners = [runner.owner.user_id]
    with kit.cursor_for(database_url) as cursor:
        learners = kit.insert_learners(cursor, owners, "batch-", args.batch_learners)
        kit.insert_history(cursor, [learner for _, learner in learners], **shape, session_days=29)
    with (
        ctx.profile(kit.LEARNER_BATCH, worker.pid, "analytics worker, batch", pool=True),
        kit.Meter([worker.pid], database_url, ctx.redis_url) as meter,
    ):
        log_path, argv = ctx.workdir / "recompute-analytics.log", ["recompute-analytics"]
        argv += ["--chunk", "1000"]
        code, wall_s, cpu_s = kit.ailp(argv, worker.env, log_path, args.batch_timeout)
        timed_out = code == -signal.SIGKILL
    with kit.cursor_for(database_url) as cursor:
        cursor.execute(BATCH_SQL)
        jobs, succeeded, failed, span_s = cursor.fetchone()
        if timed_out:  # the next jobs run alone: cancel and drop what is left
            cursor.execute(
                "UPDATE jobs SET status = 'canceled', finished_at = now() "
                "WHERE batch_id IS NOT NULL AND status = 'queued'"
            )
            with redis.Redis.from_url(ctx.redis_url) as client:
                client.delete(ANALYTICS_QUEUE)
            while time.monotonic() < meter.end["wall"] + 60:
                cursor.execute(
                    "SELECT 1 FROM jobs WHERE batch_id IS NOT NULL AND status = 'running'"
                )
                if not cursor.fetchone():
                    break
                time.sleep(0.2)
    span_s, app_ms = float(span_s or 0), meter.ms_per(succeeded, extra_s=cpu_s)
    pg_ms, redis_ms = meter.ms_per(succeeded, "postgres"), meter.ms_per(succeeded, "redis")
    # The rate a quiet machine of this many cores would reach were they the only load.
    quiet = (os.cpu_count() or 1) * 1000 / (app_ms + pg_ms + (redis_ms or 0)) if pg_ms else None
    quiet = quiet and round(quiet, 1)
    kit.echo(f"    batch: {succeeded:,} of {jobs:,} jobs in {span_s:.1f}s ({wall_s:.1f}s)")
    out = dict(jobs=jobs, succeeded=succeeded, failed=failed, timed_out=timed_out)
    out |= dict(learners_per_s=round(succeeded / span_s, 1) if span_s > 0 else None)
    out |= dict(wall_s=round(wall_s, 2), wall_learners_per_s=round(succeeded / wall_s, 1))
    out |= dict(cpu_share_percent=meter.shares(app_extra_s=cpu_s), app_cpu_ms_per_learner=app_ms)
    out |= dict(postgres_cpu_ms_per_learner=pg_ms, quiet_estimate_learners_per_s=quiet)
    return out


def run_fit(ctx: kit.Run) -> dict[str, Any]:
    """The learner-model fit on real answers: `ailp learner-model fit` on data/assistments2009
    from the file, then from the same answers as platform responses, as the fit reads them."""
    database_url, out = create_database("ailp_bench_fit"), {}
    try:
        out["file"] = _fit(ctx, database_url, "--from-csv", str(DATA), "--format", "dkt")
        log, start = read_dkt(DATA), datetime(2009, 9, 1, tzinfo=UTC)
        with kit.cursor_for(database_url) as cursor:  # one answer a minute, in the file's order
            # One owner with no learner of its own: the students' ids (which decide the learners
            # the fit holds out) start at 1, as on a platform that only has them.
            cursor.execute(
                "INSERT INTO users (username, email, password_hash) VALUES ('fit', 'fit@example.com', 'x') RETURNING id"
            )
            owner = cursor.fetchone()[0]
            learners = kit.insert_learners(cursor, [owner], "student-", len(log.learner_keys))
            rows = zip(
                log.learner.tolist(), log.concept.tolist(), log.correct.tolist(), strict=True
            )
            lines = (
                f"{learners[learner][1]}\t{log.concepts[concept]}\t{'tf'[not correct]}\t"
                f"{(start + timedelta(minutes=index)).isoformat()}\n"
                for index, (learner, concept, correct) in enumerate(rows)
            )
            copy = "COPY exercise_responses (learner_id, concept, correct, answered_at) FROM STDIN"
            cursor.copy_expert(copy, io.StringIO("".join(lines)))
            cursor.execute("ANALYZE exercise_responses")
        out["platform"] = _fit(ctx, database_url)
    finally:
        drop_database(database_url)
    kit.echo(f"    fit: {out}")
    return out


def _fit(ctx: kit.Run, database_url: str, *args: str) -> dict[str, Any]:
    log_path = ctx.workdir / f"fit-{'file' if args else 'platform'}.log"
    env = {**os.environ, "DATABASE_URL": database_url}
    code, wall_s, _ = kit.ailp(["learner-model", "fit", *args], env, log_path, 600)
    if code != 0:
        raise RuntimeError(f"ailp learner-model fit failed; see {log_path}")
    with kit.cursor_for(database_url) as cursor:
        cursor.execute(FIT_SQL)
        seconds, answers, evaluation, concepts = cursor.fetchone()
    figures = {"command_s": round(wall_s, 2), "fit_s": round(seconds, 2)}
    figures |= {"answers_read": answers, "concepts": concepts}
    return figures | {key: evaluation[key] for key in ("auc", "baseline_auc")}
