"""The Celery application factory, configured once for at-least-once delivery.

Why each setting: docs/architecture.md ("Celery settings" and "Hard-won rules").
"""

from __future__ import annotations

from celery import Celery

from ailp.config import Settings, get_settings
from ailp.queue.names import ANALYTICS_QUEUE, COMPUTE_ANALYTICS_BATCH_TASK, ROUTES
from ailp.queue.transport import TRANSPORT


def make_celery(main: str, settings: Settings | None = None) -> Celery:
    settings = settings or get_settings()
    app = Celery(main, broker=settings.celery_broker_url)
    transport_options = {
        # Unacknowledged messages come back after this long; it must exceed every task's time limit.
        "visibility_timeout": settings.broker_visibility_timeout,
        "socket_timeout": 10,
        "socket_connect_timeout": 5,
        "health_check_interval": 30,
    }
    app.conf.update(
        # Kombu's Redis transport with one client per channel (see ailp.queue.transport).
        broker_transport=TRANSPORT,
        broker_transport_options=transport_options,
        # Read by Celery's result backend code paths too; no backend is used, but keep them equal.
        result_backend_transport_options=transport_options,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        broker_pool_limit=10,
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_ignore_result=True,  # results live in Postgres
        task_acks_late=True,
        task_reject_on_worker_lost=True,  # a SIGKILLed child's task is redelivered, not acked
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        task_send_sent_event=False,
        task_routes={
            **{route.task: {"queue": route.queue} for route in ROUTES.values()},
            COMPUTE_ANALYTICS_BATCH_TASK: {"queue": ANALYTICS_QUEUE},
        },
        task_default_queue="default",
        enable_utc=True,
        timezone="UTC",
    )
    return app
