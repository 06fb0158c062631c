"""The analytics worker's Celery app: `celery -A analytics_worker.app worker -Q analytics`.

CPU-bound work, so the prefork pool (one process per core) is the right pool here.
"""

from __future__ import annotations

from ailp.config import get_settings
from ailp.queue.celery_app import make_celery
from ailp.queue.names import ANALYTICS_QUEUE
from ailp.queue.worker import install_worker_hooks

settings = get_settings().refuse_weak_secrets()  # no service signs with a guessable key
app = make_celery("analytics-worker", settings)
app.conf.update(
    include=["analytics_worker.tasks"],
    task_time_limit=settings.analytics_task_time_limit,
    worker_concurrency=settings.analytics_worker_concurrency,
)
install_worker_hooks(
    app,
    service="analytics-worker",
    queue=ANALYTICS_QUEUE,
    metrics_port=settings.analytics_metrics_port,
)
