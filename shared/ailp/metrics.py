"""Prometheus metrics shared by every service (names `ailp_<thing>_<unit>`, see
docs/architecture.md, Conventions).

With several processes per service (uvicorn workers, Celery prefork children) prometheus-client
runs in multiprocess mode: `ailp stack` (make up, the images' entrypoint) sets
`PROMETHEUS_MULTIPROC_DIR` to an emptied folder before the service starts, each process writes
its samples there, and one endpoint per service aggregates them. Without that variable each
process simply uses its own registry.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    make_wsgi_app,
)
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)

# --- HTTP (gateway) ---------------------------------------------------------------------------
HTTP_REQUESTS = Counter(
    "ailp_http_requests_total", "HTTP requests by route and status", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "ailp_http_request_duration_seconds",
    "HTTP request latency by route",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)

# --- jobs --------------------------------------------------------------------------------------
JOBS_SUBMITTED = Counter("ailp_jobs_submitted_total", "Jobs accepted by the gateway", ["kind"])
JOBS_FINISHED = Counter(
    "ailp_jobs_finished_total",
    "Job executions by outcome (succeeded, failed, retried, skipped, lost)",
    ["kind", "outcome"],
)
JOB_LATENCY = Histogram(
    "ailp_job_latency_seconds",
    "Time from a job's creation to its terminal status",
    ["kind"],
    buckets=LATENCY_BUCKETS,
)
JOB_RUN_TIME = Histogram(
    "ailp_job_run_seconds", "Time a worker spent on one attempt", ["kind"], buckets=LATENCY_BUCKETS
)
JOBS_SWEPT = Counter(
    "ailp_jobs_swept_total",
    "Jobs the sweeper re-published or failed, by reason",
    ["kind", "reason"],
)

SWEEPS = Counter(
    "ailp_sweeps_total", "Sweeper passes by outcome (ok, locked_out, error)", ["outcome"]
)
SWEEP_TIME = Histogram(
    "ailp_sweep_duration_seconds", "Time one sweeper pass took", buckets=LATENCY_BUCKETS
)
SWEEPER_LAST_SUCCESS = Gauge(
    "ailp_sweeper_last_success_timestamp_seconds",
    "When the sweeper last completed a pass (Unix time)",
    multiprocess_mode="max",
)

# --- model and content --------------------------------------------------------------------------
MODEL_CALLS = Counter("ailp_model_calls_total", "Model calls by outcome", ["outcome"])
MODEL_CALL_TIME = Histogram(
    "ailp_model_call_duration_seconds", "Model call latency", buckets=LATENCY_BUCKETS
)
MODEL_TOKENS = Counter("ailp_model_tokens_total", "Model tokens by direction", ["direction"])
MODEL_COST = Counter("ailp_model_cost_usd_total", "Model spend in USD")
CONTENT_GENERATED = Counter(
    "ailp_content_generated_total", "Content pieces stored, by source", ["source", "content_type"]
)
FALLBACK_REASONS = Counter(
    "ailp_content_fallback_total", "Why AI generation was unavailable", ["reason"]
)
LIMITER_WAIT = Histogram(
    "ailp_model_limiter_wait_seconds",
    "Time spent waiting for the shared rate limits",
    buckets=LATENCY_BUCKETS,
)
BUDGET_REMAINING = Gauge(
    "ailp_model_budget_remaining_usd",
    "Daily model budget left (as last seen by a worker)",
    multiprocess_mode="mostrecent",
)
SPEND_TODAY = Gauge(
    "ailp_model_spend_today_usd",
    "Model spend of the current UTC day (as last seen by a worker)",
    multiprocess_mode="mostrecent",
)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def build_registry(extra: Iterable[Collector] = ()) -> CollectorRegistry:
    """The registry an endpoint should expose: aggregated across processes when multiprocess."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    for collector in extra:
        try:
            registry.register(collector)
        except ValueError:
            pass  # already registered (tests build the registry more than once)
    return registry


def render(registry: CollectorRegistry) -> tuple[bytes, str]:
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # scrapes are not worth a log line
        pass


def serve_metrics(
    port: int,
    host: str,
    extra: Iterable[Collector] = (),
    *,
    alive: Callable[[], bool] = lambda: True,
) -> WSGIServer:
    """Serve `/metrics` (and `/healthz`, answering 200 while `alive()` says so, else 503) from
    this process on a background thread: a worker's main process, or the sweeper."""
    metrics_app = make_wsgi_app(build_registry(extra))

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            ok = alive()
            start_response(
                "200 OK" if ok else "503 Service Unavailable",
                [("Content-Type", "application/json")],
            )
            return [b'{"status":"ok"}' if ok else b'{"status":"stalled"}']
        return metrics_app(environ, start_response)

    server = make_server(host, port, app, _ThreadingWSGIServer, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server


def mark_process_dead(pid: int) -> None:
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


def timer(histogram: Histogram, **labels: str) -> Callable[[], float]:
    """Start a timer; call the returned function to observe and get the elapsed seconds."""
    import time

    start = time.perf_counter()

    def stop() -> float:
        elapsed = time.perf_counter() - start
        (histogram.labels(**labels) if labels else histogram).observe(elapsed)
        return elapsed

    return stop
