"""Model limits across replicas, the daily budget and the shared slow-down, end to end.

The tests run private stacks whose limits are low enough to reach, and check them in the
loopback model server's own request log.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import psycopg2
import pytest
import redis

from tests.support.api import Api
from tests.support.database import SCRATCH_REDIS_DB
from tests.support.model_server import (
    ModelServerProcess,
    peak_requests_in_window,
    peak_tokens_in_window,
)
from tests.support.processes import Stack, throwaway_stack

WINDOW = 6.0


def _submit(api: Api, learner: dict, count: int, prefix: str) -> list[str]:
    ids = []
    for i in range(count):
        response = api.submit_content(learner["id"], concept=f"{prefix} topic {i}")
        assert response.status_code == 202, response.text
        ids.append(response.json()["id"])
    return ids


def _user(stack: Stack) -> tuple[Api, dict]:
    api = Api(stack.base_url).new_user()
    return api, api.create_learner()


@pytest.fixture(scope="module")
def replicas(
    model_server: ModelServerProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """Two content-worker replicas sharing low limits: 4 requests / 9,000 tokens per 6 s."""
    # Not the private-stack Redis database: this stack lives on while make_stack tests run.
    with throwaway_stack(
        redis_db=SCRATCH_REDIS_DB,
        workdir=tmp_path_factory.mktemp("replicas"),
        database_prefix="ailp_limits",
        openai_base_url=model_server.base_url,
        content_workers=2,
        extra_env={
            "OPENAI_LIMIT_WINDOW_SECONDS": str(WINDOW),
            "OPENAI_RPM_LIMIT": "4",
            "OPENAI_TPM_LIMIT": "9000",
            "JOB_SUBMISSIONS_PER_MINUTE": "1000",
            "MAX_QUEUED_JOBS_PER_USER": "1000",
        },
    ) as stack:
        yield stack


def test_two_replicas_together_stay_within_rpm_and_tpm(
    replicas: Stack, model_server: ModelServerProcess
) -> None:
    stack = replicas
    model_server.control.reset()
    api, learner = _user(stack)
    model_server.control.set_default(mode="ok", delay=0.2)
    marker = uuid.uuid4().hex[:8]
    jobs = _submit(api, learner, 14, marker)
    finished = [api.wait_job(job_id, timeout=120) for job_id in jobs]
    assert {job["result"]["source"] for job in finished} == {"openai"}
    requests = [r for r in model_server.control.requests() if marker in json.dumps(r["messages"])]
    assert len(requests) == 14
    arrivals = sorted(r["at"] - requests[0]["at"] for r in requests)
    assert peak_requests_in_window(requests, WINDOW) <= 4, [round(a, 2) for a in arrivals]
    assert peak_tokens_in_window(requests, WINDOW) <= 9000
    # Both replicas did some of the work.
    logs = [stack[name].log_path.read_text() for name in ("content-worker", "content-worker-2")]
    assert all('"job_succeeded"' in log for log in logs)


def test_a_429_slows_every_replica_down(make_stack, model_server: ModelServerProcess) -> None:
    # Not on `replicas`: its request limit would empty the pause by itself. Here no limit binds
    # and there are more jobs than the two replicas have threads (2 x 4), so calls would go on
    # back to back during the pause unless the cool-down held every thread of every replica.
    stack: Stack = make_stack(
        content_workers=2,
        extra_env={"JOB_SUBMISSIONS_PER_MINUTE": "1000", "MAX_QUEUED_JOBS_PER_USER": "1000"},
    )
    stack.start()
    api, learner = _user(stack)
    model_server.control.set_default(mode="ok", delay=0.2)
    model_server.control.script({"mode": "429", "retry_after": 2})
    marker = uuid.uuid4().hex[:8]
    jobs = _submit(api, learner, 16, marker)
    assert {api.wait_job(job_id, timeout=60)["result"]["source"] for job_id in jobs} == {"openai"}
    log = [r for r in model_server.control.requests() if marker in json.dumps(r["messages"])]
    limited = next(r for r in log if r["status"] == 429)
    # Calls admitted before the worker that got the 429 shared its cool-down (a few ms) may
    # still land; after that, no call starts until Retry-After has passed, from either replica.
    pause_start, pause_end = limited["finished_at"] + 0.3, limited["finished_at"] + 1.9
    started_during_pause = [
        r["at"] - limited["finished_at"] for r in log if pause_start < r["at"] < pause_end
    ]
    assert started_during_pause == []
    # At most one call per thread came before the pause: the others waited it out.
    assert len([r for r in log if r["at"] >= pause_end]) >= len(jobs) - 8
    logs = [stack[name].log_path.read_text() for name in ("content-worker", "content-worker-2")]
    assert all('"job_succeeded"' in log for log in logs)  # both replicas had work


def test_the_daily_budget_stops_spending_and_says_so(
    make_stack, model_server: ModelServerProcess
) -> None:
    stack: Stack = make_stack(
        extra_env={
            "OPENAI_DAILY_BUDGET_USD": "0.05",
            "OPENAI_PRICES": json.dumps({"gpt-4o-mini": {"input": 0.01, "output": 0.01}}),
        }
    )
    stack.start()
    api, learner = _user(stack)
    sources, spent = [], 0.0
    for i in range(8):
        job = api.wait_job(
            api.submit_content(learner["id"], concept=f"Budget topic {i}").json()["id"]
        )
        content = job["result"]
        sources.append(content["source"])
        spent += content["usage"]["cost_usd"]
        if content["source"] == "fallback":
            assert "budget" in content["notice"] and "midnight UTC" in content["notice"]
    assert sources[0] == "openai" and "fallback" in sources
    first_fallback = sources.index("fallback")
    assert set(sources[first_fallback:]) == {"fallback"}  # it stays closed for the day
    assert spent <= 0.05
    metrics = __import__("httpx").get(f"http://127.0.0.1:{stack.content_metrics_port}/metrics").text
    assert "ailp_model_budget_remaining_usd" in metrics and "ailp_model_spend_today_usd" in metrics


def test_without_a_key_content_is_built_offline(make_stack) -> None:
    stack: Stack = make_stack(openai_api_key=None)
    stack.start()
    api, learner = _user(stack)
    job = api.wait_job(
        api.submit_content(learner["id"], concept="SQL joins", content_type="quiz").json()["id"]
    )
    content = job["result"]
    assert content["source"] == "fallback" and "no AI model configured" in content["notice"]
    assert len(content["exercises"]) >= 5 and all(
        q["answer"] in q["choices"] for q in content["exercises"]
    )


def test_the_days_spend_survives_the_loss_of_redis_data(
    make_stack, model_server: ModelServerProcess
) -> None:
    """R1: the day's spend lived only in Redis; a flush reset it to zero and the budget opened."""
    stack: Stack = make_stack(
        extra_env={
            "OPENAI_DAILY_BUDGET_USD": "0.05",
            "OPENAI_USER_DAILY_BUDGET_USD": "10",
            "OPENAI_PRICES": json.dumps({"gpt-4o-mini": {"input": 0.01, "output": 0.01}}),
        }
    )
    stack.start()
    api, learner = _user(stack)

    def source(concept: str) -> str:
        job = api.wait_job(api.submit_content(learner["id"], concept=concept).json()["id"])
        return str(job["result"]["source"])

    sources = [source(f"Spend topic {i}") for i in range(4)]
    assert "openai" in sources and sources[-1] == "fallback"
    redis.Redis.from_url(stack.redis_url).flushdb()  # the broker's and limits' data, all gone
    assert [source(f"After the flush {i}") for i in range(2)] == ["fallback", "fallback"]
    with psycopg2.connect(stack.database_url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(cost_usd), 0) FROM content")
        (spent,) = cursor.fetchone()
    assert spent <= 0.05


def test_identical_requests_at_once_call_the_model_once(
    stack_for_flights: Stack, model_server: ModelServerProcess
) -> None:
    """R15: identical cache misses each called the model."""
    api, learner = _user(stack_for_flights)
    concept = model_server.control.hold(seconds=2)
    jobs = [api.submit_content(learner["id"], concept=concept).json()["id"] for _ in range(4)]
    finished = [api.wait_job(job_id) for job_id in jobs]
    assert sorted(job["result"]["source"] for job in finished) == ["cache"] * 3 + ["openai"]
    calls = [r for r in model_server.control.requests() if concept in json.dumps(r["messages"])]
    assert len(calls) == 1


@pytest.fixture
def stack_for_flights(make_stack) -> Stack:
    stack: Stack = make_stack(
        extra_env={"JOB_SUBMISSIONS_PER_MINUTE": "1000", "MAX_QUEUED_JOBS_PER_USER": "1000"}
    )
    stack.start()
    return stack
