"""Retention deletes finished jobs older than JOB_RETENTION_DAYS in batches, oldest first, and
nothing else: unfinished jobs and the content jobs produced stay."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ailp.config import Settings
from ailp.jobs.retention import delete_expired_jobs
from ailp.models import Content, Job, Learner

SETTINGS = Settings(job_retention_days=30)


def _finished(make_job: Callable[..., Job], status: str, days_ago: float) -> Job:
    return make_job(
        status=status,
        created_at=func.now() - timedelta(days=days_ago, hours=1),
        finished_at=func.now() - timedelta(days=days_ago),
    )


def _exists(db: Session, job: Job) -> bool:
    return db.scalar(select(func.count()).select_from(Job).where(Job.id == job.id)) == 1


def test_only_finished_jobs_past_the_retention_period_go(
    db: Session, make_job: Callable[..., Job]
) -> None:
    expired = [_finished(make_job, status, 31) for status in ("succeeded", "failed", "canceled")]
    recent = _finished(make_job, "succeeded", 29)
    # Unfinished jobs stay however old they are (the sweeper deals with them).
    old_queued = make_job(status="queued", created_at=func.now() - timedelta(days=90))
    old_running = make_job(status="running", created_at=func.now() - timedelta(days=90))

    assert delete_expired_jobs(db, SETTINGS) == 3
    assert not any(_exists(db, job) for job in expired)
    assert all(_exists(db, job) for job in (recent, old_queued, old_running))
    assert delete_expired_jobs(db, SETTINGS) == 0


def test_deletes_in_batches_oldest_first(db: Session, make_job: Callable[..., Job]) -> None:
    jobs = [_finished(make_job, "succeeded", 40 + age) for age in range(5)]  # jobs[4] is oldest
    assert delete_expired_jobs(db, SETTINGS, batch=2) == 2
    assert [_exists(db, job) for job in jobs] == [True, True, True, False, False]
    assert delete_expired_jobs(db, SETTINGS, batch=2) == 2
    assert delete_expired_jobs(db, SETTINGS, batch=2) == 1
    assert delete_expired_jobs(db, SETTINGS, batch=2) == 0


def test_the_retention_period_is_the_setting(db: Session, make_job: Callable[..., Job]) -> None:
    job = _finished(make_job, "failed", 8)
    assert delete_expired_jobs(db, Settings(job_retention_days=10)) == 0
    assert delete_expired_jobs(db, Settings(job_retention_days=7)) == 1
    assert not _exists(db, job)


def test_content_outlives_its_job(
    db: Session, make_job: Callable[..., Job], learner: Learner
) -> None:
    job = _finished(make_job, "succeeded", 45)
    content = Content(
        id=uuid.uuid4(),
        learner_id=learner.id,
        owner_user_id=learner.user_id,
        job_id=job.id,
        concept="SQL joins",
        concept_key="sql joins",
        content_type="lesson",
        experience_level="beginner",
        title="Joins",
        body="...",
        source="fallback",
        prompt_version="v1",
        cache_key="k",
    )
    db.add(content)
    db.flush()
    assert delete_expired_jobs(db, SETTINGS) == 1
    db.expire_all()
    kept = db.get(Content, content.id)
    assert kept is not None and kept.job_id is None


def test_a_batch_must_delete_something(db: Session) -> None:
    with pytest.raises(ValueError):
        delete_expired_jobs(db, SETTINGS, batch=0)
