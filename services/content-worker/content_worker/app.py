"""The content worker's Celery app: `celery -A content_worker.app worker -Q content --pool threads`.

Model calls are I/O-bound (hundreds of milliseconds to seconds of waiting each), so one process
runs many of them at once on Celery's thread pool (`CONTENT_WORKER_CONCURRENCY`); the openai
client and the database pool are thread-safe and shared by the threads.
"""

from __future__ import annotations

from ailp.config import get_settings
from ailp.db.engine import set_pool_size
from ailp.queue.celery_app import make_celery
from ailp.queue.names import CONTENT_QUEUE
from ailp.queue.worker import install_worker_hooks

settings = get_settings().refuse_weak_secrets()  # no service signs with a guessable key
# A model without a price would make the daily budget meaningless: refuse to start instead.
settings.require_model_price()
app = make_celery("content-worker", settings)
app.conf.update(
    include=["content_worker.tasks"],
    task_time_limit=settings.content_task_time_limit,
    worker_concurrency=settings.content_worker_concurrency,
)
# Threads hold a connection only briefly (claim, read the learner, store); they wait on the
# model with none. A bounded pool keeps many replicas within PostgreSQL's max_connections.
set_pool_size(min(settings.content_worker_concurrency + 4, 12))
install_worker_hooks(
    app, service="content-worker", queue=CONTENT_QUEUE, metrics_port=settings.content_metrics_port
)
