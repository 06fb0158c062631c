"""Nothing accepted is lost: kill workers, flush or restart the broker, restart the gateway."""

from __future__ import annotations

import os
import signal

import psycopg2
import pytest
import redis

from tests.support.api import Api
from tests.support.model_server import ModelServerProcess
from tests.support.processes import Stack, child_pids, wait_until
from tests.support.servers import PrivateRedis

pytestmark = pytest.mark.fault


def _job_row(stack: Stack, job_id: str) -> dict:
    with psycopg2.connect(stack.database_url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, attempts, worker, error_code FROM jobs WHERE id = %s", (job_id,)
        )
        status, attempts, worker, error_code = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM content WHERE job_id = %s", (job_id,))
        (content_rows,) = cursor.fetchone()
    return {
        "status": status,
        "attempts": attempts,
        "worker": worker,
        "error_code": error_code,
        "content_rows": content_rows,
    }


def _running_attempt(stack: Stack, job_id: str) -> int | None:
    row = _job_row(stack, job_id)
    return row["attempts"] if row["status"] == "running" else None


def _wait_running(api: Api, job_id: str) -> None:
    wait_until(
        lambda: api.http.get(f"/api/jobs/{job_id}").json()["status"] == "running",
        timeout=30,
        message=f"job {job_id} running",
    )


def test_sigkilled_worker_mid_job_still_succeeds_exactly_once(
    stack: Stack, model_server: ModelServerProcess
) -> None:
    api = Api(stack.base_url).new_user()
    learner = api.create_learner()
    model_server.control.add_rule("interrupted lesson", mode="slow", delay=2)
    job_id = api.submit_content(learner["id"], concept="Interrupted lesson").json()["id"]
    _wait_running(api, job_id)

    stack["content-worker"].kill()  # SIGKILL: no acknowledgement, no cleanup, mid model call
    stack.start("content-worker")

    job = api.wait_job(job_id, timeout=60)
    assert job["status"] == "succeeded" and job["attempts"] == 2
    assert _job_row(stack, job_id)["content_rows"] == 1


def test_sigkilled_prefork_child_mid_job_is_recovered(stack: Stack) -> None:
    api = Api(stack.base_url).new_user()
    learner = api.create_learner()
    # Lock the learner's row against updates (not against references, so the job can still be
    # submitted): the analytics job computes, then waits to update the learner with its results,
    # running in a prefork child until that child is killed.
    lock = psycopg2.connect(stack.database_url)
    try:
        with lock.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM learners WHERE id = %s FOR NO KEY UPDATE", (learner["id"],)
            )
        job_id = api.submit_analytics(learner["id"]).json()["id"]
        worker = wait_until(
            lambda: (row := _job_row(stack, job_id))["status"] == "running" and row["worker"],
            timeout=30,
            message=f"job {job_id} running",
        )
        pid = int(worker.rsplit(":", 1)[1])
        assert pid in child_pids(stack["analytics-worker"].pid), worker  # a pool process
        os.kill(pid, signal.SIGKILL)  # no acknowledgement, no cleanup, mid job
        wait_until(lambda: pid not in child_pids(stack["analytics-worker"].pid), timeout=10)
    finally:
        lock.close()  # the dead child's transaction ends; its lease runs out, the sweeper requeues

    job = api.wait_job(job_id, timeout=60)
    assert job["status"] == "succeeded" and job["attempts"] == 2, job
    assert stack["analytics-worker"].alive  # the pool replaced its child and goes on
    after = api.submit_analytics(learner["id"]).json()["id"]
    assert api.wait_job(after)["status"] == "succeeded"


def test_flushed_broker_loses_no_job(stack: Stack) -> None:
    for worker in ("content-worker", "analytics-worker"):
        stack[worker].stop()  # no workers: messages wait in Redis
    api = Api(stack.base_url).new_user()
    learner = api.create_learner()
    jobs = [api.submit_analytics(learner["id"]).json()["id"] for _ in range(5)]
    jobs += [
        api.submit_content(learner["id"], concept=f"Flushed {i}").json()["id"] for i in range(3)
    ]
    client = redis.Redis.from_url(stack.redis_url)
    assert client.llen("analytics") >= 5
    client.flushdb()  # every queued message is gone
    stack.start("content-worker", "analytics-worker")
    finished = [api.wait_job(job_id, timeout=60) for job_id in jobs]
    assert {job["status"] for job in finished} == {"succeeded"}


def test_redis_restart_loses_no_job_and_health_reports_it(make_stack) -> None:
    private = PrivateRedis().start()
    try:
        stack: Stack = make_stack(broker_url=private.url)
        stack.start()
        api = Api(stack.base_url).new_user()
        learner = api.create_learner()
        before = api.submit_analytics(learner["id"]).json()["id"]
        assert api.wait_job(before)["status"] == "succeeded"

        private.stop()
        health = api.http.get("/api/health")
        assert health.status_code == 503
        assert (
            health.json()["checks"]["redis"].startswith("error")
            and health.json()["checks"]["database"] == "ok"
        )
        accepted = api.submit_analytics(learner["id"])  # the row is durable even without a broker
        assert accepted.status_code == 202

        private.start()
        wait_until(
            lambda: api.http.get("/api/health").status_code == 200,
            timeout=30,
            message="health back",
        )
        assert api.wait_job(accepted.json()["id"], timeout=60)["status"] == "succeeded"
        after = api.submit_analytics(learner["id"]).json()["id"]
        assert api.wait_job(after, timeout=60)["status"] == "succeeded"
    finally:
        private.destroy()


def test_gateway_restart_keeps_jobs_and_tokens(
    stack: Stack, model_server: ModelServerProcess
) -> None:
    api = Api(stack.base_url).new_user()
    learner = api.create_learner()
    model_server.control.add_rule("across a restart", mode="slow", delay=2)
    job_id = api.submit_content(learner["id"], concept="Across a restart").json()["id"]
    stack["gateway"].kill()
    stack.start("gateway")
    assert api.wait_job(job_id, timeout=60)["status"] == "succeeded"  # same token still valid


def test_a_job_that_kills_its_worker_every_time_fails_while_others_flow(
    stack: Stack, model_server: ModelServerProcess
) -> None:
    api = Api(stack.base_url).new_user()
    learner = api.create_learner()
    model_server.control.add_rule("poison pill", mode="slow", delay=60)
    poison = api.submit_content(learner["id"], concept="Poison pill").json()["id"]
    others: list[str] = []
    for attempt in range(1, 4):
        # Running in its n-th attempt (after a kill the row still says "running" until the
        # sweeper sees the lease expire and hands the job out again).
        wait_until(
            lambda attempt=attempt: _running_attempt(stack, poison) == attempt,
            timeout=60,
            message=f"the poison job running its attempt {attempt}",
        )
        stack["content-worker"].kill()
        stack.start("content-worker")
        others.append(api.submit_content(learner["id"], concept=f"Healthy {attempt}").json()["id"])
        others.append(api.submit_analytics(learner["id"]).json()["id"])

    failed = api.wait_job(poison, timeout=60)
    assert failed["status"] == "failed" and failed["attempts"] == 3
    assert failed["error"]["code"] == "worker_lost" and "killed" in failed["error"]["message"]
    assert {api.wait_job(job_id, timeout=60)["status"] for job_id in others} == {"succeeded"}
