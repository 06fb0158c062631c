"""The learner model at scale, on its own database with the gateway and one analytics worker at
the product's defaults (no sweeper: answers posted through the gateway schedule no extra jobs).

learner-batch (first, while the database holds only its learners): `--batch-learners` learners ×
`--batch-responses` answers over 10 concepts, 5 sessions each, then `ailp recompute-analytics
--chunk 1000`: learners/s = jobs / (last `finished_at` − first `started_at`). learner-big: one
learner with `--big-responses` answers over `--big-concepts` concepts and `--big-sessions`
sessions in 400 days: a cold (no stored per-concept state), a warm (nothing new) and a +100
answers job. learner-growth: learners with `--growth` answers, a cold then a warm job each.
Per job: worker = started_at → finished_at (the reads and the computation); visible = started_at
until the bench, polling every 5 ms, sees it succeeded (storing and the commit included).
"""

from __future__ import annotations

import io
import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import redis

from ailp.learner_model.answers import read_dkt
from ailp.queue.names import ANALYTICS_QUEUE
from bench.kit import Meter, Run, ailp
from bench.parts import LEARNER_BATCH, LEARNER_BIG, LEARNER_GROWTH
from bench.seed import BenchUser, create_users, cursor_for, insert_history, insert_learners
from tests.support.api import TERMINAL
from tests.support.database import create_database, drop_database
from tests.support.processes import REPO_ROOT, Stack

JOB_TIMEOUT_S = 120.0  # one job; the cold 100k-answer job takes seconds
NEW_RESPONSES = 100


def run(ctx: Run) -> dict[str, Any]:
    """The learner model at scale."""
    args, selection = ctx.args, ctx.selection
    sizes = [int(n) for n in args.growth.split(",") if n.strip()]
    settings = {k: v for k, v in vars(args).items() if k.startswith(("big_", "batch_", "growth"))}
    out: dict[str, Any] = {"settings": settings}
    with ctx.stack("learner") as stack:
        stack.start("gateway", "analytics-worker")
        runner = Runner(
            stack, create_users(stack.database_url, ctx.jwt_secret, 1)[0], ctx.redis_url
        )
        if LEARNER_BATCH in selection:
            out["batch"] = _batch(ctx, runner)
        if selection.parts & {LEARNER_BIG, LEARNER_GROWTH}:
            runner.warm_up()
        if LEARNER_BIG in selection:
            big = {"responses": args.big_responses, "concepts": args.big_concepts}
            big |= {"sessions": args.big_sessions, "new_responses": NEW_RESPONSES}
            learner_id = runner.seed_learner(
                args.big_sessions, args.big_responses, args.big_concepts
            )
            worker = stack["analytics-worker"].pid
            with ctx.profile(LEARNER_BIG, worker, "analytics worker, cold job", pool=True):
                if LEARNER_BIG in ctx.profiled:
                    time.sleep(1.0)  # py-spy attaches to every process of the tree first
                jobs = {"cold": runner.one_job(learner_id)}
            jobs["warm"] = runner.one_job(learner_id)
            runner.post_responses(learner_id, NEW_RESPONSES, args.big_concepts)
            jobs["plus_new"] = runner.one_job(learner_id)
            out["big"] = {**big, "jobs": jobs}
            ctx.log("big learner: " + "; ".join(f"{k} {_brief(job)}" for k, job in jobs.items()))
        for size in sizes if LEARNER_GROWTH in selection else []:
            shape = {"responses": size, "concepts": min(30, size), "sessions": max(1, size // 10)}
            learner_id = runner.seed_learner(shape["sessions"], size, shape["concepts"])
            cold, warm = runner.one_job(learner_id), runner.one_job(learner_id)
            out.setdefault("growth", []).append({**shape, "cold": cold, "warm": warm})
            ctx.log(f"growth {size:,} answers: cold {_brief(cold)}; warm {_brief(warm)}")
    return out


def _brief(job: dict[str, Any]) -> str:
    return f"{job['worker_ms']} ms ({job['started_to_visible_ms']} visible, {job['status']})"


class Runner:
    """One owner's learners on a stack with an analytics worker: seeding and timed jobs."""

    def __init__(self, stack: Stack, owner: BenchUser, redis_url: str) -> None:
        self.stack, self.owner, self.redis_url = stack, owner, redis_url
        self.database_url, self.api = stack.database_url, owner.api(stack.base_url)

    def seed_learner(self, sessions: int, answers: int, concepts: int, days: int = 400) -> int:
        """One learner; some concepts mostly answered right, others mostly wrong."""
        with cursor_for(self.database_url) as cursor:
            [(_, learner_id)] = insert_learners(cursor, [self.owner.user_id], "learner-", 1)
            shape = {"sessions": sessions, "answers": answers, "concepts": concepts}
            insert_history(cursor, [learner_id], **shape, days=days, graded=True)
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
        path = f"/api/learners/{learner_id}/responses"
        response = self.api.http.post(path, json={"responses": items})
        if response.status_code != 201:
            raise RuntimeError(f"posting answers failed: {response.status_code} {response.text}")

    def warm_up(self) -> None:
        """A few small jobs first, so the pool's processes have their connections and caches."""
        learner_id = self.seed_learner(20, 200, 10, days=60)
        for _ in range(3):
            if (job := self.one_job(learner_id))["status"] != "succeeded":
                raise RuntimeError(f"warm-up job {job['job_id']} {job['status']}: see the logs")

    def one_job(self, learner_id: int) -> dict[str, Any]:
        worker = self.stack["analytics-worker"]
        meter = Meter([worker.pid], self.database_url, self.redis_url)
        with meter, cursor_for(self.database_url) as cursor:
            response = self.api.submit_analytics(learner_id)
            if response.status_code != 202:
                raise RuntimeError(f"analytics request: {response.status_code} {response.text}")
            job_id, status, deadline = (
                response.json()["id"],
                "queued",
                time.monotonic() + JOB_TIMEOUT_S,
            )
            while status not in TERMINAL and time.monotonic() < deadline:
                if not worker.alive:
                    raise RuntimeError(f"analytics worker exited:\n{worker.log_tail()}")
                time.sleep(0.005)
                cursor.execute("SELECT status FROM jobs WHERE id = %s", (job_id,))
                status = cursor.fetchone()[0]
            visible_at = time.time() if status in TERMINAL else None
        with cursor_for(self.database_url) as cursor:
            cursor.execute(
                "SELECT extract(epoch FROM created_at), extract(epoch FROM started_at), "
                "extract(epoch FROM finished_at), attempts FROM jobs WHERE id = %s",
                (job_id,),
            )
            created, started, finished, attempts = cursor.fetchone()

        def ms(a: Any, b: Any) -> float | None:
            return round((float(b) - float(a)) * 1000, 1) if None not in (a, b) else None

        return {
            **{"job_id": job_id, "status": status, "attempts": attempts},
            "worker_ms": ms(started, finished),
            "started_to_visible_ms": ms(started, visible_at),
            "created_to_finished_ms": ms(created, finished),
            # CPU of the worker's processes and the database's backends while the bench waited
            # for this job (the job, plus Celery's and the pool's own bits).
            "worker_cpu_ms": round(meter.cpu_s("app") * 1000, 1),
            "postgres_cpu_ms": meter.ms_per(1, "postgres"),
            "cpu_share_percent": meter.shares(),
        }


def _batch(ctx: Run, runner: Runner) -> dict[str, Any]:
    args, database_url = ctx.args, runner.database_url
    with cursor_for(database_url) as cursor:
        created = insert_learners(cursor, [runner.owner.user_id], "batch-", args.batch_learners)
        shape = {"sessions": 5, "answers": args.batch_responses, "concepts": 10}
        insert_history(
            cursor, [learner for _, learner in created], **shape, days=60, session_days=29
        )
    ctx.log(
        f"batch: {args.batch_learners:,} learners seeded; ailp recompute-analytics --chunk 1000"
    )
    worker = runner.stack["analytics-worker"]
    with (
        ctx.profile(LEARNER_BATCH, worker.pid, "analytics worker, batch", pool=True),
        Meter([worker.pid], database_url, ctx.redis_url) as meter,
    ):
        log_path = ctx.workdir / "recompute-analytics.log"
        command = ailp(
            ["recompute-analytics", "--chunk", "1000"], worker.env, log_path, args.batch_timeout
        )
    with cursor_for(database_url) as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'succeeded'), count(*) FILTER "
            "(WHERE status = 'failed'), extract(epoch FROM min(started_at)), extract(epoch FROM "
            "max(finished_at) FILTER (WHERE status = 'succeeded')) FROM jobs WHERE batch_id IS NOT NULL"
        )
        jobs, succeeded, failed, first_start, last_finish = cursor.fetchone()
        if command.timed_out:  # so that the next jobs run alone
            ctx.log(f"stopped after {args.batch_timeout:g}s (the benchmark's time bound)")
            _drop_leftovers(cursor, ctx.redis_url)
    span_s = float(last_finish) - float(first_start) if first_start and last_finish else 0.0
    app_ms = meter.ms_per(succeeded, extra_s=command.cpu_s)
    pg_ms = meter.ms_per(succeeded, "postgres")
    all_ms = (app_ms or 0) + (pg_ms or 0) + (meter.ms_per(succeeded, "redis") or 0)
    batch = {
        **{"jobs": jobs, "succeeded": succeeded, "failed": failed, "timed_out": command.timed_out},
        "span_s": round(span_s, 2),
        "learners_per_s": round(succeeded / span_s, 1) if span_s > 0 else None,
        "wall_s": round(command.wall_s, 2),
        "wall_learners_per_s": round(succeeded / command.wall_s, 1),
        "command_cpu_s": round(command.cpu_s, 3),
        "cpu_share_percent": meter.shares(app_extra_s=command.cpu_s),
        # CPU per learner of the worker (+ the command) and of the database's backends, and the
        # rate a quiet machine of this many cores would reach if they were the only load.
        "app_cpu_ms_per_learner": app_ms,
        "postgres_cpu_ms_per_learner": pg_ms,
        "quiet_estimate_learners_per_s": round((os.cpu_count() or 1) * 1000 / all_ms, 1)
        if app_ms and pg_ms
        else None,
    }
    ctx.log(f"  {succeeded:,} of {jobs:,} jobs: {batch['learners_per_s']} learners/s")
    return batch


def _drop_leftovers(cursor: Any, redis_url: str) -> None:
    """Cancel a stopped batch's queued jobs, drop its messages, let the running ones finish."""
    cursor.execute(
        "UPDATE jobs SET status = 'canceled', finished_at = now() "
        "WHERE batch_id IS NOT NULL AND status = 'queued'"
    )
    with redis.Redis.from_url(redis_url) as client:
        client.delete(ANALYTICS_QUEUE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        cursor.execute(
            "SELECT count(*) FROM jobs WHERE batch_id IS NOT NULL AND status = 'running'"
        )
        if cursor.fetchone()[0] == 0:
            return
        time.sleep(0.2)


DATA = REPO_ROOT / "data" / "assistments2009" / "builder_train.csv"


def run_fit(ctx: Run) -> dict[str, Any]:
    """`learner-model-fit`: `ailp learner-model fit` on data/assistments2009 (408k answers of
    3,361 students over 123 skills) from the file, then from the same answers loaded as platform
    responses (one learner each), as the scheduled fit reads them."""
    database_url = create_database("ailp_bench_fit")
    try:
        out: dict[str, Any] = {
            "file": _fit(ctx, database_url, "--from-csv", str(DATA), "--format", "dkt")
        }
        ctx.log(f"from the file: {_brief(out['file'])}")
        started = time.monotonic()
        answers = _load_answers(database_url, ctx.jwt_secret)
        out["load_s"] = round(time.monotonic() - started, 2)
        out["platform"] = {**_fit(ctx, database_url), "answers": answers}
        ctx.log(f"from the platform ({answers:,} answers loaded): {_brief(out['platform'])}")
        return out
    finally:
        drop_database(database_url)


def _brief(run: dict[str, Any]) -> str:
    return (
        f"command {run['command_s']} s (fit {run['fit_s']} s), {run['concepts']} concepts fitted, "
        f"held-out AUC {run['auc']:.4f} (defaults {run['baseline_auc']:.4f}), log loss "
        f"{run['log_loss']:.4f} (defaults {run['baseline_log_loss']:.4f})"
    )


def _fit(ctx: Run, database_url: str, *args: str) -> dict[str, Any]:
    """`ailp learner-model fit ARGS`: its wall clock and the version it stored."""
    log_path = ctx.workdir / "fit" / f"fit-{'file' if args else 'platform'}.log"
    env = {**os.environ, "DATABASE_URL": database_url}
    command = ailp(["learner-model", "fit", *args], env, log_path, timeout_s=600)
    if command.returncode != 0:
        raise RuntimeError(f"ailp learner-model fit failed; see {log_path}")
    with cursor_for(database_url) as cursor:
        cursor.execute(
            """
            SELECT v.id, v.duration_seconds, v.answers, v.evaluation,
                   (SELECT count(*) FROM learner_model_concept_params p WHERE p.version_id = v.id)
            FROM learner_model_versions v ORDER BY v.id DESC LIMIT 1
            """
        )
        version, seconds, answers, evaluation, concepts = cursor.fetchone()
    keys = ("auc", "baseline_auc", "log_loss", "baseline_log_loss", "held_out_answers")
    return {
        "command_s": round(command.wall_s, 2),
        "version": version,
        "fit_s": round(seconds, 2),
        "answers_read": answers,
        "concepts": concepts,
        **{key: evaluation[key] for key in keys},
    }


def _load_answers(database_url: str, jwt_secret: str) -> int:
    """The file's answers as platform responses: one learner per student, one answer a minute
    in the file's order (COPY)."""
    log = read_dkt(DATA)
    start = datetime(2009, 9, 1, tzinfo=UTC)
    owner = create_users(database_url, jwt_secret, 1)[0].user_id
    with cursor_for(database_url) as cursor:
        learners = insert_learners(cursor, [owner], "student-", len(log.learner_keys))
        learner_ids = [learner for _, learner in learners]
        buffer = io.StringIO()
        for index, (learner, concept, correct) in enumerate(
            zip(log.learner.tolist(), log.concept.tolist(), log.correct.tolist(), strict=True)
        ):
            moment = (start + timedelta(minutes=index)).isoformat()
            buffer.write(
                f"{learner_ids[learner]}\t{log.concepts[concept]}\t{'tf'[not correct]}\t{moment}\n"
            )
        buffer.seek(0)
        cursor.copy_expert(
            "COPY exercise_responses (learner_id, concept, correct, answered_at) FROM STDIN", buffer
        )
        cursor.execute("ANALYZE exercise_responses")
    return int(log.answers)
