"""Run one delivery of a job task: claim, keep the lease alive, do the work, finish atomically.

Task bodies in the workers are one line: `run_job(job_id, kind=..., handler=...)`. The handler
does the slow part outside any transaction (a model call, big aggregates) and returns a
`JobOutcome` whose `store` writes the job's own rows; those rows and the job's terminal status
are committed in one transaction, so a job has its output exactly once or not at all.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from sqlalchemy.orm import Session

from ailp import metrics
from ailp.config import Settings, get_settings
from ailp.db.engine import session_scope
from ailp.jobs import lifecycle
from ailp.jobs.lifecycle import Claim, LostClaim
from ailp.logging import bound_context, get_logger
from ailp.models.enums import JobStatus

log = get_logger(__name__)


class Deferred(Exception):
    """Not now: put the job back in the queue for `delay` seconds without using an attempt."""

    MAX_DELAY = 60.0  # stays far below the broker's visibility timeout

    def __init__(self, delay: float, reason: str) -> None:
        super().__init__(reason)
        self.delay = min(max(delay, 0.5), self.MAX_DELAY)
        self.reason = reason


class PermanentJobError(Exception):
    """An error that retrying cannot fix (bad parameters, a missing learner)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class JobOutcome:
    result: dict[str, Any]
    result_url: str | None
    store: Callable[[Session], None] = field(default=lambda _session: None)
    # What a batch store (`store_many`) needs from this job, if the handler offers one.
    rows: Any = None


Handler = Callable[[Claim], JobOutcome]
Retry = Callable[[uuid.UUID, str, float], None]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class LeaseKeeper:
    """Heartbeats the lease of the jobs claimed under one token while they run (a thread).

    When none of them is ours any more it stops; the fenced final write then finds the claim lost.
    """

    def __init__(self, token: uuid.UUID, settings: Settings) -> None:
        self.token = token
        self._settings = settings
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{token}", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self._settings.job_heartbeat_seconds):
            try:
                with session_scope() as session:
                    alive = lifecycle.heartbeat(
                        session, token=self.token, lease_seconds=self._settings.job_lease_seconds
                    )
            except Exception as exc:  # the database may be briefly away; the lease has slack
                log.warning("job_heartbeat_failed", error=str(exc))
                continue
            if not alive:
                log.warning("job_lease_lost")
                return


def run_job(
    job_id: str,
    *,
    kind: str,
    handler: Handler,
    retry: Retry,
    settings: Settings | None = None,
) -> str:
    """Execute one delivery of a job task and return what happened (for logs and tests)."""
    settings = settings or get_settings()
    try:
        job_uuid = uuid.UUID(job_id)
    except ValueError:
        log.error("job_id_invalid", job_id=job_id)
        return "skipped"
    with bound_context(job_id=job_id, kind=kind):
        with session_scope() as session:
            claim = lifecycle.claim(
                session,
                job_id=job_uuid,
                worker=worker_name(),
                lease_seconds=settings.job_lease_seconds,
            )
        if claim is None:
            # Already running elsewhere, finished, canceled or deleted: a redelivery is harmless.
            log.info("job_not_claimable")
            metrics.JOBS_FINISHED.labels(kind=kind, outcome="skipped").inc()
            return "skipped"
        with bound_context(attempt=claim.attempts):
            log.info("job_started")
            stop_timer = metrics.timer(metrics.JOB_RUN_TIME, kind=kind)
            try:
                outcome, countdown = _execute(claim, handler, settings)
            finally:
                stop_timer()
            observe(claim, kind, outcome)
            if countdown is not None:
                retry(claim.job_id, kind, countdown)
            return outcome


def _execute(claim: Claim, handler: Handler, settings: Settings) -> tuple[str, float | None]:
    """Run the handler; return the outcome and, when the job must be published again, when."""
    try:
        with LeaseKeeper(claim.token, settings):
            result = handler(claim)
            with session_scope() as session:
                result.store(session)
                lifecycle.succeed(
                    session, claim=claim, result=result.result, result_url=result.result_url
                )
        log.info("job_succeeded")
        return "succeeded", None
    except LostClaim:
        log.warning("job_claim_lost_before_finish")
        return "lost", None
    except Deferred as exc:
        return _defer(claim, exc)
    except PermanentJobError as exc:
        return record_failure(claim, exc.code, exc.message, retryable=False), None
    except Exception as exc:
        log.exception("job_error")
        outcome = record_failure(claim, "internal_error", describe(exc), retryable=True)
        return outcome, backoff(claim.attempts) if outcome == "retried" else None


def _defer(claim: Claim, deferral: Deferred) -> tuple[str, float | None]:
    try:
        with session_scope() as session:
            lifecycle.defer(session, claim=claim, delay_seconds=deferral.delay)
    except LostClaim:
        return "lost", None
    except Exception:
        log.exception("job_deferral_not_recorded")  # the lease expires; the sweeper takes over
        return "lost", None
    log.info("job_deferred", delay=round(deferral.delay, 2), reason=deferral.reason)
    return "deferred", deferral.delay


def record_failure(claim: Claim, code: str, message: str, *, retryable: bool) -> str:
    try:
        with session_scope() as session:
            status = lifecycle.fail_or_retry(
                session,
                claim=claim,
                code=code,
                message=message,
                retryable=retryable,
                retry_in_seconds=backoff(claim.attempts),
            )
    except LostClaim:
        return "lost"
    except Exception:
        # Cannot even record the failure (database down): the lease expires and the sweeper
        # gives the job to another attempt.
        log.exception("job_failure_not_recorded")
        return "lost"
    if status is JobStatus.failed:
        log.warning("job_failed", code=code, error=message)
        return "failed"
    log.warning("job_will_retry", code=code, error=message)
    return "retried"


def observe(claim: Claim, kind: str, outcome: str) -> None:
    metrics.JOBS_FINISHED.labels(kind=kind, outcome=outcome).inc()
    if outcome in ("succeeded", "failed"):
        metrics.JOB_LATENCY.labels(kind=kind).observe(
            max(0.0, time.time() - claim.created_at.timestamp())
        )


def backoff(attempts: int) -> float:
    return float(min(60, 2**attempts))


def describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:500] if text else type(exc).__name__
