"""The sweeper recovers lost jobs and gives up on jobs that keep killing their worker."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ailp.config import Settings
from ailp.jobs import lifecycle
from ailp.jobs.sweeper import SWEEPER_LOCK_ID, sweep
from ailp.models import Job
from ailp.models.enums import JobStatus

SETTINGS = Settings(job_requeue_after_seconds=30)


def test_an_expired_lease_puts_the_job_back_in_the_queue(
    db: Session, make_job: Callable[..., Job]
) -> None:
    job = make_job()
    # A lease in the past: the worker stopped heartbeating (killed).
    assert lifecycle.claim(db, job_id=job.id, worker="dead:1", lease_seconds=-1)
    report = sweep(db, SETTINGS)
    assert (job.id, "analytics") in report.to_publish
    db.refresh(job)
    assert job.status == JobStatus.queued and job.claim_token is None and job.attempts == 1


def test_a_job_that_dies_on_its_last_attempt_fails_clearly(
    db: Session, make_job: Callable[..., Job]
) -> None:
    job = make_job(max_attempts=1)
    assert lifecycle.claim(db, job_id=job.id, worker="dead:1", lease_seconds=-1)
    report = sweep(db, SETTINGS)
    assert job.id in report.failed
    db.refresh(job)
    assert job.status == JobStatus.failed and job.error_code == "worker_lost"
    assert "killed" in (job.error_message or "")


def test_a_live_lease_is_left_alone(db: Session, make_job: Callable[..., Job]) -> None:
    job = make_job()
    assert lifecycle.claim(db, job_id=job.id, worker="alive:1", lease_seconds=60)
    report = sweep(db, SETTINGS)
    assert not report.to_publish and not report.failed


def test_unclaimed_jobs_are_republished_only_when_stale(
    db: Session, make_job: Callable[..., Job]
) -> None:
    stale = make_job(published_seconds_ago=120)
    fresh = make_job(published_seconds_ago=1)
    report = sweep(db, SETTINGS)
    published = {job_id for job_id, _ in report.to_publish}
    assert stale.id in published and fresh.id not in published
    db.refresh(stale)
    # Its publish time moved on, so it is not republished again on the very next pass.
    assert stale.id not in {job_id for job_id, _ in sweep(db, SETTINGS).to_publish}


def test_finished_and_canceled_jobs_are_ignored(db: Session, make_job: Callable[..., Job]) -> None:
    make_job(status="succeeded", published_seconds_ago=999)
    make_job(status="canceled", published_seconds_ago=999)
    report = sweep(db, SETTINGS)
    assert report.to_publish == [] and report.failed == []


def test_only_one_sweeper_works_at_a_time(db: Session, engine: Engine) -> None:
    with engine.connect() as other:
        assert other.execute(
            text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": SWEEPER_LOCK_ID}
        ).scalar()
        assert sweep(db, SETTINGS).locked_out
        other.rollback()
