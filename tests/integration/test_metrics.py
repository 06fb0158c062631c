"""Metrics across processes: every service's /metrics after real jobs, and the gateway's counters
adding up over its worker processes (multiprocess Prometheus). The other cross-cutting HTTP
rules are tested in-process, in tests/gateway/test_http_contract.py."""

from __future__ import annotations

import shutil
import tempfile

import httpx
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from tests.support.api import Api
from tests.support.processes import Stack


def test_metrics_of_all_three_services(api: Api, learner: dict, stack: Stack) -> None:
    api.wait_job(api.submit_analytics(learner["id"]).json()["id"])
    api.wait_job(api.submit_content(learner["id"], concept="Metrics check").json()["id"])
    gateway = httpx.get(f"{stack.base_url}/metrics").text
    assert (
        'ailp_http_requests_total{method="POST",route="/api/learners/{learner_id}/analytics",status="202"}'
        in gateway
    )
    assert "ailp_http_request_duration_seconds_bucket" in gateway
    assert "ailp_jobs_submitted_total" in gateway
    content = httpx.get(f"http://127.0.0.1:{stack.content_metrics_port}/metrics").text
    assert 'ailp_jobs_finished_total{kind="content",outcome="succeeded"}' in content
    assert 'ailp_model_calls_total{outcome="ok"}' in content
    assert "ailp_model_tokens_total" in content and "ailp_model_cost_usd_total" in content
    assert 'ailp_content_generated_total{content_type="lesson",source="openai"}' in content
    assert "ailp_queue_depth_jobs" in content and "ailp_broker_queue_length" in content
    analytics = httpx.get(f"http://127.0.0.1:{stack.analytics_metrics_port}/metrics").text
    assert 'ailp_jobs_finished_total{kind="analytics",outcome="succeeded"}' in analytics
    assert "ailp_job_latency_seconds_bucket" in analytics


def _counter(text: str, sample: str) -> float:
    for line in text.splitlines():
        if line.startswith(sample + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def _per_process(stack: Stack, sample: str) -> dict[str, float]:
    """The sample as each gateway process counted it (its own file in the multiprocess dir)."""
    values = {}
    for path in stack["gateway"].metrics_dir.glob("counter_*.db"):
        with tempfile.TemporaryDirectory() as alone:
            shutil.copy(path, alone)
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=alone)
            values[path.name] = _counter(generate_latest(registry).decode(), sample)
    return values


def test_gateway_metrics_add_up_across_its_processes(anonymous: Api, stack: Stack) -> None:
    """Two uvicorn processes serve the gateway; /metrics must count the requests of both."""
    sample = 'ailp_http_requests_total{method="GET",route="/api/health/live",status="200"}'
    before = _counter(httpx.get(f"{stack.base_url}/metrics").text, sample)
    before_each = _per_process(stack, sample)
    sent = 0
    served: dict[str, float] = {}
    # New connections, so that each process gets some; more until each has.
    while sent < 60 or (len(served) < stack.web_concurrency and sent < 600):
        for _ in range(20):
            assert httpx.get(f"{stack.base_url}/api/health/live").status_code == 200
        sent += 20
        counted = _per_process(stack, sample)
        served = {name: n - before_each.get(name, 0) for name, n in counted.items()}
        served = {name: n for name, n in served.items() if n > 0}
    assert len(served) == stack.web_concurrency and sum(served.values()) == sent, served
    # Each process answered only part of them, so any /metrics (fresh connections: whichever
    # process answers) showing them all has added up every process's counts.
    for _ in range(6):
        assert _counter(httpx.get(f"{stack.base_url}/metrics").text, sample) - before == sent
