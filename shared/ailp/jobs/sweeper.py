"""The sweeper: nothing accepted is lost, nothing runs twice for nothing, nothing waits for ever.

Redis is only the doorbell, so a message can vanish (a crash between commit and publish, a
flushed or restarted broker, a SIGKILLed worker). Every `SWEEPER_INTERVAL_SECONDS` one sweeper (a
Postgres advisory lock makes extra replicas idle) looks at unfinished job rows and:

* puts back a running job whose lease expired (its worker died: heartbeats stopped), or fails it
  after its last attempt. Jobs that shared a claim with others (an analytics batch) come back
  *isolated*: each runs alone from then on, so one job that kills its worker cannot fail the rest.
  Leases are not judged right after the database (or this sweeper) was away: heartbeats get two
  intervals to renew them first, so a database outage does not re-run healthy jobs;
* fails a content job still unfinished `CONTENT_JOB_DEADLINE_SECONDS` after its start (the worker
  normally ends it well before, with the model's piece or the offline one);
* turns due automatic-analytics schedules into jobs through the one submission statement
  (`ailp.jobs.submit`), so they count against their user's limits;
* publishes queued jobs that are due and have no message waiting in the broker: retries and
  deferrals when their time comes, and jobs whose message was lost. A job whose message is still
  waiting (its marker, see `ailp.queue.publish`) is left alone, however deep the queue, unless
  the message went down with a worker that took it (`ailp.queue.stranded`).

All of it happens in one short transaction with statement and idle-in-transaction timeouts (a
frozen sweeper gives its locks up); publishing happens after the commit.
"""

from __future__ import annotations

import signal
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from types import FrameType

import redis
from sqlalchemy import func, text
from sqlalchemy.orm import Session

from ailp import metrics
from ailp.config import Settings, get_settings
from ailp.db.engine import session_scope
from ailp.jobs import lifecycle, retention
from ailp.jobs.submit import AnalyticsParams, Limits, NewJob, submit_statement
from ailp.learner_model.service import start_fit_schedule
from ailp.logging import get_logger
from ailp.models import Job
from ailp.queue import publish
from ailp.queue.names import ANALYTICS_QUEUE, CONTENT_QUEUE
from ailp.queue.publish import Doorbell
from ailp.queue.stranded import stranded
from ailp.queue.worker import QueueDepthCollector

log = get_logger(__name__)

SWEEPER_LOCK_ID = 727_002
BATCH = 500
# A committed job is published by its submitter right after the commit; give it this long before
# the sweeper treats a missing marker as a lost message.
PUBLISH_GRACE_SECONDS = 2.0
# A refused automatic-analytics schedule (its user is at a limit) is tried again this much later.
SCHEDULE_RETRY_SECONDS = 10.0


@dataclass
class SweepReport:
    failed: list[uuid.UUID] = field(default_factory=list)
    to_publish: list[Doorbell] = field(default_factory=list)
    locked_out: bool = False
    swept: Counter[tuple[str, str]] = field(default_factory=Counter)

    def count(self, kind: str, reason: str, n: int = 1) -> None:
        self.swept[(kind, reason)] += n


def reap_grace_seconds(settings: Settings) -> float:
    """How long leases get to be renewed after an outage before expired ones are judged."""
    return 2 * settings.job_heartbeat_seconds + settings.sweeper_interval_seconds


def sweep(
    session: Session,
    settings: Settings,
    broker: redis.Redis | None,
    *,
    may_reap: bool = True,
) -> SweepReport:
    """One pass, inside the caller's transaction. Publishing happens after commit.

    `may_reap` is False while this process has not been in touch with the database for
    `reap_grace_seconds` (just started, or after an outage). Without a `broker` (Redis is down)
    nothing is checked for publishing.
    """
    report = SweepReport()
    if not session.execute(
        text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": SWEEPER_LOCK_ID}
    ).scalar():
        report.locked_out = True
        return report
    timeout = str(settings.sweeper_statement_timeout_ms)
    session.execute(
        text(
            "SELECT set_config('statement_timeout', :ms, true), "
            "set_config('idle_in_transaction_session_timeout', :ms, true)"
        ),
        {"ms": timeout},
    )
    if may_reap:
        _expired_leases(session, settings, report)
    _overdue_content(session, settings, report)
    _automatic_analytics(session, settings, report)
    if broker is not None:
        _unpublished(session, broker, report, delivered_grace=settings.job_lease_seconds)
    return report


_EXPIRED = text(
    """
    SELECT id, kind, attempts, max_attempts, claim_token FROM jobs
    WHERE status = 'running' AND lease_expires_at < now()
      AND now() - pg_postmaster_start_time() > make_interval(secs => :grace)
    ORDER BY lease_expires_at
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
    """
)


def _expired_leases(session: Session, settings: Settings, report: SweepReport) -> None:
    rows = session.execute(_EXPIRED, {"grace": reap_grace_seconds(settings), "batch": BATCH}).all()
    if not rows:
        return
    # A batch's jobs share one claim token and one lease, so they expire (and are found) together.
    claimed_together = Counter(row.claim_token for row in rows)
    exhausted = [row for row in rows if row.attempts >= row.max_attempts]
    again = [row for row in rows if row.attempts < row.max_attempts]
    lifecycle.give_up(
        session,
        job_ids=[row.id for row in exhausted],
        code="worker_lost",
        message=func.concat(
            "The job stopped ",
            Job.attempts,
            " times without finishing (its worker crashed or was killed each time), so it was "
            "given up. Submit it again; if it keeps failing, report it.",
        ),
    )
    isolate = [row.id for row in again if claimed_together[row.claim_token] > 1]
    lifecycle.requeue(session, job_ids=[row.id for row in again], isolate=isolate)
    for row in exhausted:
        report.failed.append(row.id)
        report.count(row.kind, "worker_lost")
    for row in again:
        alone = row.id in isolate
        report.to_publish.append(Doorbell(row.id, row.kind, alone=alone))
        report.count(row.kind, "lease_expired_isolated" if alone else "lease_expired")


_OVERDUE = text(
    """
    SELECT id FROM jobs
    WHERE kind = 'content' AND status IN ('queued', 'running')
      AND started_at < now() - make_interval(secs => :deadline)
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
    """
)


def _overdue_content(session: Session, settings: Settings, report: SweepReport) -> None:
    # One interval early, so that the job has ended by the deadline, not one interval after it.
    deadline = settings.content_job_deadline_seconds - settings.sweeper_interval_seconds
    ids = list(session.scalars(_OVERDUE, {"deadline": deadline, "batch": BATCH}))
    lifecycle.give_up(
        session,
        job_ids=ids,
        code="deadline_exceeded",
        message=(
            f"The content could not be prepared within {settings.content_job_deadline_seconds:.0f} "
            "seconds, so the job was stopped. Ask again; nothing was charged twice."
        ),
    )
    report.failed += ids
    report.count("content", "deadline_exceeded", len(ids))


_DUE_SCHEDULES = text(
    """
    SELECT s.learner_id, l.user_id FROM analytics_schedules s
    JOIN learners l ON l.id = s.learner_id
    WHERE s.due_at <= now()
      AND NOT EXISTS (  -- coalesced: a waiting automatic job will see the new activity too
          SELECT 1 FROM jobs waiting
          WHERE waiting.learner_id = s.learner_id AND waiting.kind = 'analytics'
            AND waiting.status = 'queued' AND waiting.params ->> 'trigger' = 'activity'
      )
    ORDER BY s.due_at
    LIMIT :batch
    FOR UPDATE OF s SKIP LOCKED
    """
)


def _automatic_analytics(session: Session, settings: Settings, report: SweepReport) -> None:
    due = session.execute(_DUE_SCHEDULES, {"batch": BATCH}).all()
    if not due:
        return
    params = AnalyticsParams(days=settings.analytics_recompute_days, trigger="activity")
    sql, values = submit_statement(
        [NewJob(row.user_id, row.learner_id, params) for row in due],
        limits=Limits.from_settings(settings),
        max_attempts=settings.job_max_attempts,
    )
    created = session.execute(text(sql), values).all()
    submitted = [row.learner_id for row in created]
    refused = [row.learner_id for row in due if row.learner_id not in set(submitted)]
    session.execute(
        text("DELETE FROM analytics_schedules WHERE learner_id = ANY(:ids)"), {"ids": submitted}
    )
    if refused:  # the user is at a limit: try again a little later
        session.execute(
            text(
                "UPDATE analytics_schedules SET due_at = now() + make_interval(secs => :delay) "
                "WHERE learner_id = ANY(:ids)"
            ),
            {"ids": refused, "delay": SCHEDULE_RETRY_SECONDS},
        )
    report.to_publish += [Doorbell(row.id, row.kind) for row in created]
    report.count("analytics", "scheduled", len(created))
    report.count("analytics", "schedule_refused", len(refused))


_DUE_QUEUED = text(
    """
    SELECT id, kind, isolated, attempts, max_attempts FROM jobs
    WHERE status = 'queued' AND published_at <= now() - make_interval(secs => :grace)
    ORDER BY published_at
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
    """
)


def _unpublished(
    session: Session, broker: redis.Redis, report: SweepReport, *, delivered_grace: float
) -> None:
    rows = session.execute(_DUE_QUEUED, {"grace": PUBLISH_GRACE_SECONDS, "batch": BATCH}).all()
    if not rows:
        return
    exhausted = [row for row in rows if row.attempts >= row.max_attempts]
    lifecycle.give_up(
        session,
        job_ids=[row.id for row in exhausted],
        code="attempts_exhausted",
        message=func.concat("The job failed ", Job.attempts, " times; submit it again."),
    )
    for row in exhausted:
        report.failed.append(row.id)
        report.count(row.kind, "attempts_exhausted")
    candidates = [row for row in rows if row.attempts < row.max_attempts]
    try:
        waiting = publish.waiting(broker, [row.id for row in candidates])
        # A marker standing for a message that a killed worker took with it (see
        # ailp.queue.stranded) would hold the job back for JOB_MESSAGE_TTL_SECONDS.
        gone = stranded(
            broker,
            [Doorbell(row.id, row.kind) for row in candidates if row.id in waiting],
            delivered_grace_seconds=delivered_grace,
        )
    except redis.RedisError as exc:
        log.warning("sweeper_broker_unavailable", error=str(exc))
        return
    waiting -= gone
    # Checked jobs go to the back of the line (their publish time moves on), so a deep queue of
    # waiting messages does not hide a lost one behind it.
    lifecycle.mark_published(session, job_ids=[row.id for row in candidates])
    for row in candidates:
        if row.id not in waiting:
            report.to_publish.append(Doorbell(row.id, row.kind, alone=row.isolated))
            reason = "message_stranded" if row.id in gone else "message_lost"
            report.count(row.kind, "due_again" if row.attempts else reason)


def sweep_and_publish(
    broker: redis.Redis, settings: Settings, *, may_reap: bool = True
) -> SweepReport:
    with session_scope() as session:
        report = sweep(session, settings, broker, may_reap=may_reap)
    if report.to_publish:
        try:
            publish.publish(broker, report.to_publish, ttl_seconds=settings.job_message_ttl_seconds)
        except redis.RedisError as exc:  # no marker was set either: published again next time
            log.warning("sweeper_publish_failed", jobs=len(report.to_publish), error=str(exc))
    for (kind, reason), n in report.swept.items():
        if n:
            metrics.JOBS_SWEPT.labels(kind=kind, reason=reason).inc(n)
    if report.failed or report.to_publish:
        log.info("sweep", failed=len(report.failed), published=len(report.to_publish))
    return report


# Finished jobs past JOB_RETENTION_DAYS are deleted this often, a batch per transaction.
RETENTION_EVERY_SECONDS = 60.0


def purge_expired_jobs(settings: Settings) -> int:
    """Delete every job past its retention, `retention.DEFAULT_BATCH` per transaction (short
    locks; replicas may run it side by side, rows are skipped when locked)."""
    deleted = 0
    while True:
        with session_scope() as session:
            batch = retention.delete_expired_jobs(session, settings)
        deleted += batch
        if batch < retention.DEFAULT_BATCH:
            return deleted


class SweeperLoop:
    """The sweeper process: a loop, its metrics, and a liveness view of the loop."""

    def __init__(self, settings: Settings, broker: redis.Redis) -> None:
        self.settings = settings
        self.broker = broker
        self.stop = threading.Event()
        self.last_loop = time.monotonic()
        self._in_touch_since: float | None = None
        self._last_purge = 0.0

    def alive(self) -> bool:
        """Live while the loop turns (a frozen or wedged loop stops answering yes)."""
        settings = self.settings
        stalled_after = max(30.0, 5 * settings.sweeper_interval_seconds)
        stalled_after += settings.sweeper_statement_timeout_ms / 1000
        return time.monotonic() - self.last_loop < stalled_after

    def tick(self) -> None:
        started = time.monotonic()
        in_touch = self._in_touch_since
        may_reap = in_touch is not None and started - in_touch >= reap_grace_seconds(self.settings)
        try:
            report = sweep_and_publish(self.broker, self.settings, may_reap=may_reap)
        except Exception as exc:  # e.g. the database is restarting; try again next interval
            self._in_touch_since = None
            metrics.SWEEPS.labels(outcome="error").inc()
            log.warning("sweep_failed", error=str(exc)[:300])
        else:
            if self._in_touch_since is None:
                self._in_touch_since = started
            metrics.SWEEPS.labels(outcome="locked_out" if report.locked_out else "ok").inc()
            metrics.SWEEPER_LAST_SUCCESS.set_to_current_time()
            metrics.SWEEP_TIME.observe(time.monotonic() - started)
            if not report.locked_out and started - self._last_purge >= RETENTION_EVERY_SECONDS:
                self._last_purge = started
                self._purge()
        self.last_loop = time.monotonic()

    def _purge(self) -> None:
        try:
            deleted = purge_expired_jobs(self.settings)
        except Exception as exc:
            log.warning("retention_failed", error=str(exc)[:300])
            return
        if deleted:
            metrics.JOBS_SWEPT.labels(kind="any", reason="retention").inc(deleted)
            log.info("retention", deleted=deleted)

    def run(self) -> None:
        log.info("sweeper_started", interval=self.settings.sweeper_interval_seconds)
        while not self.stop.is_set():
            self.tick()
            self.stop.wait(self.settings.sweeper_interval_seconds)


def run_forever(settings: Settings | None = None) -> None:
    settings = (settings or get_settings()).refuse_weak_secrets()
    loop = SweeperLoop(settings, redis.Redis.from_url(settings.celery_broker_url, socket_timeout=5))

    def _stop(signum: int, _frame: FrameType | None) -> None:
        log.info("sweeper_stopping", signal=signum)
        loop.stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    start_fit_schedule(settings, loop.stop)
    if settings.sweeper_metrics_port:
        metrics.serve_metrics(
            settings.sweeper_metrics_port,
            settings.metrics_host,
            [QueueDepthCollector([CONTENT_QUEUE, ANALYTICS_QUEUE])],
            alive=loop.alive,
        )
    loop.run()
