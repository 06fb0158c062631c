"""The sweeper recovers lost jobs, publishes due ones, and gives up on jobs that keep killing
their worker — without re-running healthy jobs or flooding a deep queue."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator

import pytest
import redis
from kombu import Connection
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ailp.config import Settings
from ailp.jobs import lifecycle
from ailp.jobs.sweeper import SWEEPER_LOCK_ID, sweep
from ailp.models import AnalyticsSchedule, Job, Learner
from ailp.models.enums import JobStatus
from ailp.queue import publish, stranded
from ailp.queue.publish import Doorbell
from ailp.queue.transport import TRANSPORT
from tests.support.database import SCRATCH_REDIS_DB, redis_url

SETTINGS = Settings(environment="test")


def _published(report: object) -> set[uuid.UUID]:
    return {doorbell.job_id for doorbell in report.to_publish}  # type: ignore[attr-defined]


def test_an_expired_lease_puts_the_job_back_in_the_queue(
    db: Session, make_job: Callable[..., Job], broker: redis.Redis
) -> None:
    job = make_job()
    # A lease in the past: the worker stopped heartbeating (killed).
    assert lifecycle.claim(db, job_id=job.id, worker="dead:1", lease_seconds=-1)
    report = sweep(db, SETTINGS, broker)
    assert Doorbell(job.id, "analytics") in report.to_publish
    db.refresh(job)
    assert job.status == JobStatus.queued and job.claim_token is None and job.attempts == 1
    assert not job.isolated  # it ran alone: nothing to isolate it from


def test_a_job_that_dies_on_its_last_attempt_fails_clearly(
    db: Session, make_job: Callable[..., Job], broker: redis.Redis
) -> None:
    job = make_job(max_attempts=1)
    assert lifecycle.claim(db, job_id=job.id, worker="dead:1", lease_seconds=-1)
    report = sweep(db, SETTINGS, broker)
    assert job.id in report.failed
    db.refresh(job)
    assert job.status == JobStatus.failed and job.error_code == "worker_lost"
    assert "killed" in (job.error_message or "")


def test_a_batch_whose_worker_died_comes_back_isolated_so_innocent_jobs_finish(
    db: Session, make_job: Callable[..., Job], broker: redis.Redis
) -> None:
    """R2: one poison job in a batch used to fail the whole batch after max_attempts."""
    poison, *innocent = [make_job() for _ in range(4)]
    claims = lifecycle.claim_batch(
        db,
        job_ids=[poison.id],
        worker="dead:1",
        lease_seconds=-1,
        steal_kind="analytics",
        steal=3,
    )
    assert len(claims) == 4
    report = sweep(db, SETTINGS, broker)
    assert {d.job_id for d in report.to_publish if d.alone} == {poison.id} | {
        job.id for job in innocent
    }
    # Isolated jobs are claimed one per delivery and never stolen into a batch again.
    assert (
        lifecycle.claim_batch(
            db, job_ids=[job.id for job in innocent], worker="w", lease_seconds=60
        )
        == []
    )
    assert (
        lifecycle.claim_batch(
            db, job_ids=[], worker="w", lease_seconds=60, steal_kind="analytics", steal=10
        )
        == []
    )
    alone = lifecycle.claim_batch(
        db, job_ids=[innocent[0].id], worker="w", lease_seconds=60, steal_kind="analytics", steal=5
    )
    assert [claim.job_id for claim in alone] == [innocent[0].id]


def test_a_live_lease_is_left_alone(
    db: Session, make_job: Callable[..., Job], broker: redis.Redis
) -> None:
    job = make_job()
    assert lifecycle.claim(db, job_id=job.id, worker="alive:1", lease_seconds=60)
    report = sweep(db, SETTINGS, broker)
    assert not report.to_publish and not report.failed


def test_leases_are_not_judged_until_heartbeats_had_time_after_an_outage(
    db: Session, make_job: Callable[..., Job], broker: redis.Redis
) -> None:
    """R4: after a database outage every lease looks expired; healthy jobs must not re-run."""
    job = make_job()
    assert lifecycle.claim(db, job_id=job.id, worker="alive:1", lease_seconds=-1)
    report = sweep(db, SETTINGS, broker, may_reap=False)
    assert not report.to_publish and not report.failed
    db.refresh(job)
    assert job.status == JobStatus.running


def test_a_due_job_whose_message_was_lost_is_published_once(
    db: Session, make_job: Callable[..., Job], broker: redis.Redis
) -> None:
    lost = make_job(published_seconds_ago=120)
    just_submitted = make_job(published_seconds_ago=0)  # its submitter publishes it
    report = sweep(db, SETTINGS, broker)
    assert lost.id in _published(report) and just_submitted.id not in _published(report)


def test_a_job_waiting_in_a_deep_queue_is_not_published_again(
    db: Session, make_job: Callable[..., Job], broker: redis.Redis
) -> None:
    """R8: the sweeper used to re-publish every job waiting longer than 30 s, growing the broker."""
    waiting = [make_job(published_seconds_ago=600) for _ in range(3)]
    publish.publish(broker, [Doorbell(job.id, "analytics") for job in waiting], ttl_seconds=60)
    depth = broker.llen("analytics")
    report = sweep(db, SETTINGS, broker)
    assert not _published(report)
    assert broker.llen("analytics") == depth


def test_a_retry_is_published_when_due_and_not_before(
    db: Session, make_job: Callable[..., Job], broker: redis.Redis
) -> None:
    job = make_job()
    claim = lifecycle.claim(db, job_id=job.id, worker="w", lease_seconds=60)
    assert claim
    lifecycle.fail_or_retry(
        db, claim=claim, code="boom", message="x", retryable=True, retry_in_seconds=30
    )
    assert job.id not in _published(sweep(db, SETTINGS, broker))
    db.execute(
        text("UPDATE jobs SET published_at = now() - interval '5 seconds' WHERE id = :id"),
        {"id": job.id},
    )
    assert job.id in _published(sweep(db, SETTINGS, broker))


def test_without_a_broker_nothing_is_marked_published(
    db: Session, make_job: Callable[..., Job]
) -> None:
    job = make_job(published_seconds_ago=120)
    report = sweep(db, SETTINGS, None)
    assert not report.to_publish
    db.refresh(job)
    # Still due: published as soon as the broker is back.
    assert db.scalar(
        text("SELECT published_at < now() - interval '60 seconds' FROM jobs WHERE id = :id"),
        {"id": job.id},
    )


def test_a_content_job_past_its_deadline_is_ended(
    db: Session, make_job: Callable[..., Job], broker: redis.Redis
) -> None:
    """R5: content jobs used to have no overall deadline."""
    job = make_job(kind="content", params={"concept": "x", "content_type": "lesson"})
    assert lifecycle.claim(db, job_id=job.id, worker="w", lease_seconds=600)
    db.execute(
        text("UPDATE jobs SET started_at = now() - interval '1 hour' WHERE id = :id"),
        {"id": job.id},
    )
    report = sweep(db, SETTINGS, broker)
    assert job.id in report.failed
    db.refresh(job)
    assert job.status == JobStatus.failed and job.error_code == "deadline_exceeded"


def test_automatic_analytics_count_against_the_users_limits(
    db: Session, learner: Learner, make_job: Callable[..., Job], broker: redis.Redis
) -> None:
    """Issue 10 (7): automatic analytics jobs used to bypass the per-user job limits."""
    settings = Settings(environment="test", max_queued_jobs_per_user=2)
    db.add(AnalyticsSchedule(learner_id=learner.id, due_at=text("now() - interval '1 second'")))
    for _ in range(2):
        make_job(status="running")
    report = sweep(db, settings, broker)
    assert not report.to_publish
    assert (
        db.scalar(text("SELECT count(*) FROM jobs WHERE learner_id = :id"), {"id": learner.id}) == 2
    )
    # The schedule waits, and becomes a job once the user is under the limit again.
    db.execute(
        text("UPDATE jobs SET status = 'succeeded' WHERE learner_id = :id"), {"id": learner.id}
    )
    db.execute(text("UPDATE analytics_schedules SET due_at = now() - interval '1 second'"))
    report = sweep(db, settings, broker)
    assert len(report.to_publish) == 1
    created = db.get(Job, report.to_publish[0].job_id)
    assert created is not None and created.params["trigger"] == "activity"


def test_finished_and_canceled_jobs_are_ignored(
    db: Session, make_job: Callable[..., Job], broker: redis.Redis
) -> None:
    make_job(status="succeeded", published_seconds_ago=999)
    make_job(status="canceled", published_seconds_ago=999)
    report = sweep(db, SETTINGS, broker)
    assert report.to_publish == [] and report.failed == []


def test_only_one_sweeper_works_at_a_time(db: Session, engine: Engine, broker: redis.Redis) -> None:
    with engine.connect() as other:
        assert other.execute(
            text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": SWEEPER_LOCK_ID}
        ).scalar()
        assert sweep(db, SETTINGS, broker).locked_out
        other.rollback()


def test_a_frozen_sweeper_gives_its_locks_up(engine: Engine, broker: redis.Redis) -> None:
    """R6: a sweeper frozen mid-sweep used to hold the lock and its row locks for ever."""
    settings = Settings(environment="test", sweeper_statement_timeout_ms=300)
    frozen = Session(bind=engine)
    sweep(frozen, settings, broker)  # holds the advisory lock, then "freezes" (never commits)
    try:
        with engine.connect() as other:
            for _ in range(50):
                got = other.execute(
                    text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": SWEEPER_LOCK_ID}
                ).scalar()
                other.rollback()
                if got:
                    break
                other.execute(text("SELECT pg_sleep(0.1)"))
            assert got, "the frozen sweeper's lock was never released"
        with pytest.raises(OperationalError):  # its session was ended by the server
            frozen.execute(text("SELECT 1"))
    finally:
        frozen.close()


def test_a_marker_is_set_before_its_message_can_be_taken(broker: redis.Redis) -> None:
    """A worker that takes a message at once drops its marker; a marker set after the push
    would outlive the message and keep the sweeper from publishing the job again."""
    job_id = uuid.uuid4()
    with broker.pipeline(transaction=False) as pipe:
        publish.fill(pipe, [Doorbell(job_id, "content")], ttl_seconds=60)
        commands = [command[0][0] for command in pipe.command_stack]
    assert commands.index("SET") < commands.index("LPUSH")


# --- messages that went down with a worker (ailp.queue.stranded) -------------------------------
# Before: the job's marker stood for JOB_MESSAGE_TTL_SECONDS (30 minutes) with no message behind
# it, and the sweeper left the job alone all that time (the intermittent CI failure of
# tests/fault/test_recovery.py::test_a_job_that_kills_its_worker_every_time_fails_while_others_flow).


def test_a_message_a_killed_worker_took_off_the_queue_is_published_again(
    db: Session, make_job: Callable[..., Job], broker: redis.Redis
) -> None:
    job = make_job(published_seconds_ago=120)
    publish.publish(broker, [Doorbell(job.id, "analytics")], ttl_seconds=600)
    assert broker.rpop("analytics")  # a worker's BRPOP was answered; the worker was SIGKILLed
    report = sweep(db, SETTINGS, broker)
    assert _published(report) == {job.id}


@pytest.fixture
def delivered_job(make_job: Callable[..., Job], broker: redis.Redis) -> Iterator[Job]:
    """A due job whose message a worker took the way kombu does (recorded in its unacked hash)
    and has not started."""
    job = make_job(published_seconds_ago=120)
    publish.publish(broker, [Doorbell(job.id, "analytics")], ttl_seconds=600)
    with Connection(redis_url(SCRATCH_REDIS_DB), transport=TRANSPORT) as connection:
        connection.SimpleQueue("analytics").get(timeout=5)  # never acknowledged
        assert broker.hlen(stranded.UNACKED) == 1 and broker.llen("analytics") == 0
        yield job


def test_a_message_delivered_to_a_worker_that_died_before_starting_it_is_published_again(
    db: Session, delivered_job: Job, broker: redis.Redis
) -> None:
    short_lease = Settings(
        environment="test",
        job_lease_seconds=1,
        job_heartbeat_seconds=0.5,
        sweeper_statement_timeout_ms=500,
    )
    time.sleep(1.1)  # longer than a lease: a live worker would have started it by now
    assert _published(sweep(db, short_lease, broker)) == {delivered_job.id}


def test_a_message_just_delivered_to_a_worker_is_left_to_it(
    db: Session, delivered_job: Job, broker: redis.Redis
) -> None:
    assert not _published(sweep(db, SETTINGS, broker))  # the lease is 60 s


def test_a_queue_too_deep_to_read_is_taken_to_hold_what_its_markers_say(
    broker: redis.Redis,
) -> None:
    jobs = [Doorbell(uuid.uuid4(), "analytics", alone=True) for _ in range(3)]
    publish.publish(broker, jobs, ttl_seconds=600)
    assert broker.rpop("analytics")  # the first one's message, taken by a worker that died
    assert stranded.stranded(broker, jobs, delivered_grace_seconds=60) == {jobs[0].job_id}
    assert stranded.stranded(broker, jobs, delivered_grace_seconds=60, scan_limit=1) == set()
