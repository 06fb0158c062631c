"""Run one delivery of a job task: claim, keep the lease alive, do the work, finish atomically.

Task bodies in the workers are one line: `run_job(job_id, kind=..., handler=...)`. The handler
does the slow part outside any transaction (a model call, big aggregates) and returns a
`JobOutcome` whose `store` writes the job's own rows (or whose one `output` row is inserted by
the statement that marks it succeeded); those rows and the job's terminal status are committed
together, so a job has its output exactly once or not at all.

A job that must run again later (a retry after an error, a deferral) is put back in the queue
with the time it is due; the sweeper publishes it then. Nothing here publishes.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from ailp import metrics
from ailp.config import Settings, get_settings
from ailp.db.engine import autocommit_connection, is_unavailable, session_scope, transaction
from ailp.db.rows import Executor
from ailp.jobs import lifecycle
from ailp.jobs.lifecycle import Claim, LostClaim, OutputRow
from ailp.logging import bound_context, get_logger
from ailp.models.enums import JobStatus
from ailp.queue import publish
from ailp.redis import get_broker_redis

log = get_logger(__name__)

# A finished job whose result cannot be written (the database is away) keeps it this long,
# retrying, rather than throwing paid work away; the lease keeper renews the lease meanwhile.
RESULT_HOLD_SECONDS = 600.0


class Deferred(Exception):
    """Not now: put the job back in the queue for `delay` seconds without using an attempt."""

    # Long enough for a turn behind a deep backlog (`ModelRateLimiter.come_back_in`); a job's own
    # deadline bounds it in practice.
    MAX_DELAY = 900.0

    def __init__(self, delay: float, reason: str) -> None:
        super().__init__(reason)
        self.delay = min(max(delay, 0.5), self.MAX_DELAY)
        self.reason = reason


class PermanentJobError(Exception):
    """An error that retrying cannot fix (bad parameters, a missing learner). Its message is
    shown to the job's owner, so it must be written for them."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class JobOutcome:
    result: dict[str, Any]
    result_url: str | None
    store: Callable[[Executor], None] = field(default=lambda _session: None)
    # Or one row, written by the same statement that marks the job succeeded (no transaction).
    output: OutputRow | None = None
    # What a batch store (`store_many`) needs from this job, if the handler offers one.
    rows: Any = None


Handler = Callable[[Claim], JobOutcome]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def internal_error_message(job_id: uuid.UUID) -> str:
    """What the job's owner sees for an unexpected error; the details stay in the logs."""
    return (
        f"The job stopped because of an internal error (reference {job_id}); it has been logged. "
        "Submit it again; if it keeps failing, report the reference."
    )


class LeaseRenewer:
    """One thread per process renews the leases of every claim its jobs hold, in one statement
    per beat, rather than a thread per job (the content worker runs dozens of jobs at once;
    most finish before their first beat and never cost a statement).

    After a failed beat (the database is away) it tries again every second, so the leases are
    renewed as soon as the database is back. A claim none of whose jobs is ours any more gets
    its `lost` event set; the fenced final write then finds the claim lost.
    """

    RETRY_SECONDS = 1.0

    def __init__(
        self,
        *,
        heartbeat_seconds: float,
        lease_seconds: float,
        connect: Callable[[], AbstractContextManager[Executor]] = autocommit_connection,
    ) -> None:
        self.heartbeat_seconds = heartbeat_seconds
        self.lease_seconds = lease_seconds
        self._connect = connect
        self._held: dict[uuid.UUID, threading.Event] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def hold(self, token: uuid.UUID, lost: threading.Event) -> None:
        with self._lock:
            self._held[token] = lost
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="leases", daemon=True)
                self._thread.start()

    def release(self, token: uuid.UUID) -> None:
        with self._lock:
            self._held.pop(token, None)

    def _run(self) -> None:
        wait = self.heartbeat_seconds
        while True:
            time.sleep(wait)
            wait = self.heartbeat_seconds
            with self._lock:
                tokens = list(self._held)
            if not tokens:
                continue
            try:
                with self._connect() as connection:  # one statement
                    alive = lifecycle.heartbeat(
                        connection, tokens=tokens, lease_seconds=self.lease_seconds
                    )
            except Exception as exc:  # the database may be briefly away; leases have slack
                log.warning("job_heartbeat_failed", error=str(exc))
                wait = min(self.RETRY_SECONDS, self.heartbeat_seconds)
                continue
            with self._lock:
                lost = [
                    self._held[token]
                    for token in tokens
                    if token not in alive and token in self._held
                ]
            for event in lost:
                log.warning("job_lease_lost")
                event.set()


_renewers: dict[tuple[int, float, float], LeaseRenewer] = {}
_renewers_lock = threading.Lock()


def lease_renewer(settings: Settings) -> LeaseRenewer:
    """This process's renewer for these lease timings (a forked child makes its own)."""
    key = (os.getpid(), settings.job_heartbeat_seconds, settings.job_lease_seconds)
    with _renewers_lock:
        renewer = _renewers.get(key)
        if renewer is None:
            renewer = _renewers[key] = LeaseRenewer(
                heartbeat_seconds=settings.job_heartbeat_seconds,
                lease_seconds=settings.job_lease_seconds,
            )
        return renewer


class LeaseKeeper:
    """Keeps the lease of the jobs claimed under one token alive while they run (through the
    process's `LeaseRenewer`); `lost` is set once none of them is ours any more."""

    def __init__(self, token: uuid.UUID, settings: Settings) -> None:
        self.token = token
        self.lost = threading.Event()
        self._renewer = lease_renewer(settings)

    def __enter__(self) -> LeaseKeeper:
        self._renewer.hold(self.token, self.lost)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._renewer.release(self.token)


def took_messages(job_ids: Iterable[str]) -> None:
    """This delivery consumed the messages of `job_ids`: drop their 'message waiting' markers,
    so the sweeper knows to publish them again if they have to run again."""
    try:
        publish.forget(get_broker_redis(), job_ids)
    except Exception as exc:  # the marker expires by itself; the sweeper is then just later
        log.warning("message_markers_not_dropped", error=str(exc))


def run_job(job_id: str, *, kind: str, handler: Handler, settings: Settings | None = None) -> str:
    """Execute one delivery of a job task and return what happened (for logs and tests)."""
    settings = settings or get_settings()
    try:
        job_uuid = uuid.UUID(job_id)
    except ValueError:
        log.error("job_id_invalid", job_id=job_id)
        return "skipped"
    took_messages([job_id])
    with bound_context(job_id=job_id, kind=kind):
        with autocommit_connection() as connection:  # one statement
            claim = lifecycle.claim(
                connection,
                job_id=job_uuid,
                worker=worker_name(),
                lease_seconds=settings.job_lease_seconds,
            )
        if claim is None:
            # Running elsewhere, finished, canceled, deleted or not due yet: harmless.
            log.info("job_not_claimable")
            metrics.JOBS_FINISHED.labels(kind=kind, outcome="skipped").inc()
            return "skipped"
        with bound_context(attempt=claim.attempts):
            log.info("job_started")
            stop_timer = metrics.timer(metrics.JOB_RUN_TIME, kind=kind)
            try:
                outcome = _execute(claim, handler, settings)
            finally:
                stop_timer()
            observe(claim, kind, outcome)
            return outcome


def _execute(claim: Claim, handler: Handler, settings: Settings) -> str:
    try:
        with LeaseKeeper(claim.token, settings) as keeper:
            result = handler(claim)
            output = result.output

            def store(session: Executor) -> None:
                if output is None:
                    result.store(session)
                lifecycle.succeed(
                    session,
                    claim=claim,
                    result=result.result,
                    result_url=result.result_url,
                    row=output,
                )

            write_while_leased(
                store, keeper, connect=transaction if output is None else autocommit_connection
            )
        log.info("job_succeeded")
        return "succeeded"
    except LostClaim:
        log.warning("job_claim_lost_before_finish")
        return "lost"
    except Deferred as exc:
        return _defer(claim, exc)
    except PermanentJobError as exc:
        return record_failure(claim, exc.code, exc.message, retryable=False)
    except Exception:
        log.exception("job_error")
        return record_failure(
            claim, "internal_error", internal_error_message(claim.job_id), retryable=True
        )


def write_while_leased(
    write: Callable[[Executor], None],
    keeper: LeaseKeeper,
    *,
    connect: Callable[[], AbstractContextManager[Executor]] = transaction,
) -> None:
    """Commit `write` in one transaction (or on an autocommit connection, for a single
    statement); while the database is unreachable keep trying (the
    lease keeper renews the lease as soon as it is back) until the claim is lost or
    `RESULT_HOLD_SECONDS` have passed. A result is worth keeping: re-running the job would pay
    for the model call again."""
    deadline = time.monotonic() + RESULT_HOLD_SECONDS
    pause = 0.5
    while True:
        try:
            with connect() as connection:
                write(connection)
            return
        except Exception as exc:
            if not is_unavailable(exc) or keeper.lost.is_set() or time.monotonic() > deadline:
                raise
            log.warning("job_result_waiting_for_database", error=str(exc)[:200])
        time.sleep(pause)
        pause = min(pause * 2, 5.0)


def _defer(claim: Claim, deferral: Deferred) -> str:
    try:
        with autocommit_connection() as connection:  # one statement
            lifecycle.defer(connection, claim=claim, delay_seconds=deferral.delay)
    except LostClaim:
        return "lost"
    except Exception:
        log.exception("job_deferral_not_recorded")  # the lease expires; the sweeper takes over
        return "lost"
    log.info("job_deferred", delay=round(deferral.delay, 2), reason=deferral.reason)
    return "deferred"


def record_failure(claim: Claim, code: str, message: str, *, retryable: bool) -> str:
    """Fail the job, or queue it again (due after its backoff) while attempts remain."""
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
        log.warning("job_failed", code=code)
        return "failed"
    log.warning("job_will_retry", code=code)
    return "retried"


def observe(claim: Claim, kind: str, outcome: str) -> None:
    metrics.JOBS_FINISHED.labels(kind=kind, outcome=outcome).inc()
    if outcome in ("succeeded", "failed"):
        metrics.JOB_LATENCY.labels(kind=kind).observe(
            max(0.0, time.time() - claim.created_at.timestamp())
        )


def backoff(attempts: int) -> float:
    return float(min(60, 2**attempts))
