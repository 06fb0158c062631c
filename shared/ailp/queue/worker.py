"""Process wiring shared by both Celery workers: logging, metrics endpoint, fork safety.

* Logging: Celery's own setup is replaced by ailp's JSON logging.
* Metrics: the main worker process serves `/metrics` (aggregated over prefork children in
  multiprocess mode) plus live queue depths; children never bind a port.
* Fork safety: a prefork child drops the database pool and Redis client it inherited.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import redis
from celery import Celery, signals
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import text

from ailp import metrics
from ailp.config import get_settings
from ailp.db.engine import dispose_engine, session_scope
from ailp.logging import configure_logging, get_logger
from ailp.models.enums import JobKind
from ailp.redis import check_eviction_policy, reset_redis

log = get_logger(__name__)


class QueueDepthCollector(Collector):
    """Unfinished jobs and the age of the oldest queued one (from Postgres, the truth), and the
    messages waiting in the broker lists of `queues`."""

    def __init__(self, queues: list[str]) -> None:
        self.queues = queues
        self._broker: redis.Redis | None = None  # built at the first scrape (after fork)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        jobs = GaugeMetricFamily(
            "ailp_queue_depth_jobs", "Unfinished jobs by kind and status", labels=["kind", "status"]
        )
        oldest = GaugeMetricFamily(
            "ailp_queue_oldest_job_age_seconds",
            "Age of the oldest queued job by kind (0 when none is queued)",
            labels=["kind"],
        )
        try:
            with session_scope() as session:
                rows = session.execute(
                    text(
                        "SELECT kind, status, count(*), "
                        "EXTRACT(EPOCH FROM now() - min(created_at)) FROM jobs "
                        "WHERE status IN ('queued', 'running') GROUP BY kind, status"
                    )
                ).all()
            ages = dict.fromkeys((kind.value for kind in JobKind), 0.0)
            for kind, status, count, age in rows:
                jobs.add_metric([kind, status], count)
                if status == "queued":
                    ages[kind] = float(age or 0)
            for kind, age in ages.items():
                oldest.add_metric([kind], age)
        except Exception as exc:
            log.debug("queue_depth_unavailable", error=str(exc))
        yield jobs
        yield oldest
        broker = GaugeMetricFamily(
            "ailp_broker_queue_length", "Task messages waiting in the broker", labels=["queue"]
        )
        try:
            if self._broker is None:
                self._broker = redis.Redis.from_url(
                    get_settings().celery_broker_url, socket_timeout=2
                )
            for queue in self.queues:
                broker.add_metric([queue], self._broker.llen(queue))
        except Exception as exc:
            log.debug("broker_depth_unavailable", error=str(exc))
        yield broker


def install_worker_hooks(app: Celery, *, service: str, queue: str, metrics_port: int) -> None:
    settings = get_settings()

    @signals.setup_logging.connect(weak=False)
    def _logging(**_: Any) -> None:
        configure_logging(service, settings.log_level, settings.log_format)

    @signals.worker_init.connect(weak=False)
    def _main_process(**_: Any) -> None:
        configure_logging(service, settings.log_level, settings.log_format)
        try:
            check_eviction_policy(
                redis.Redis.from_url(settings.celery_broker_url, socket_timeout=3)
            )
        except redis.RedisError as exc:
            log.warning("redis_unreachable_at_start", error=str(exc))
        if metrics_port:
            metrics.serve_metrics(
                metrics_port, settings.metrics_host, [QueueDepthCollector([queue])]
            )
            log.info("metrics_serving", port=metrics_port)

    @signals.worker_process_init.connect(weak=False)
    def _child_process(**_: Any) -> None:
        dispose_engine()
        reset_redis()

    @signals.worker_process_shutdown.connect(weak=False)
    def _child_exit(**_: Any) -> None:
        metrics.mark_process_dead(os.getpid())
