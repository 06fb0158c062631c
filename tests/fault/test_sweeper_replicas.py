"""Two sweeper replicas: one frozen mid-life, the other carries on; both can be watched."""

from __future__ import annotations

import os
import signal
import uuid

import httpx
import psycopg2
import pytest

from tests.support.api import Api
from tests.support.processes import Stack, wait_until

pytestmark = pytest.mark.fault


def _lost_job(stack: Stack, user_id: int, learner_id: int) -> str:
    """A committed queued job whose message never reached the broker: only a sweeper can
    publish it."""
    job_id = str(uuid.uuid4())
    with psycopg2.connect(stack.database_url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO jobs (id, user_id, learner_id, kind, params, published_at) "
            "VALUES (%s, %s, %s, 'analytics', '{\"days\": 30}', now() - interval '1 minute')",
            (job_id, user_id, learner_id),
        )
    return job_id


def test_a_frozen_sweeper_does_not_stop_the_other_replica(make_stack) -> None:
    """R6: a sweeper frozen mid-sweep held its lock (and every lost job) for ever."""
    stack: Stack = make_stack(sweepers=2)
    stack.start()
    api = Api(stack.base_url).new_user()
    learner = api.create_learner()
    user_id = api.http.get("/api/users/me").json()["id"]
    for name, port in stack.sweeper_metrics_ports.items():
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        assert "ailp_sweeps_total" in metrics and "ailp_queue_oldest_job_age_seconds" in metrics
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200, name

    frozen = stack["sweeper"]
    os.killpg(frozen.pid, signal.SIGSTOP)
    try:
        job_id = _lost_job(stack, user_id, learner["id"])
        assert api.wait_job(job_id, timeout=30)["status"] == "succeeded"
        with pytest.raises(httpx.TimeoutException):  # a liveness probe would restart it
            httpx.get(f"http://127.0.0.1:{stack.sweeper_metrics_port}/healthz", timeout=1)
    finally:
        os.killpg(frozen.pid, signal.SIGCONT)
    wait_until(
        lambda: (
            httpx.get(
                f"http://127.0.0.1:{stack.sweeper_metrics_port}/healthz", timeout=2
            ).status_code
            == 200
        ),
        timeout=20,
        message="the thawed sweeper live again",
    )
    job_id = _lost_job(stack, user_id, learner["id"])
    assert api.wait_job(job_id, timeout=30)["status"] == "succeeded"
