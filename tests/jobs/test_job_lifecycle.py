"""Claiming, heartbeating and finishing jobs: the database decides who runs a job."""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from ailp.db.rows import table_of
from ailp.jobs import lifecycle
from ailp.jobs.lifecycle import LostClaim, OutputRow
from ailp.jobs.runner import LeaseRenewer
from ailp.models import Content, Job
from ailp.models.enums import JobStatus


def _claim(db: Session, job: Job, lease: float = 60) -> lifecycle.Claim | None:
    return lifecycle.claim(db, job_id=job.id, worker="test:1", lease_seconds=lease)


def test_a_queued_job_is_claimed_once(db: Session, make_job: Callable[..., Job]) -> None:
    job = make_job()
    claim = _claim(db, job)
    assert claim is not None and claim.attempts == 1 and claim.kind == "analytics"
    assert _claim(db, job) is None  # a redelivered message finds it running: no-op
    db.refresh(job)
    assert job.status == JobStatus.running and job.worker == "test:1" and job.lease_expires_at


@pytest.mark.parametrize("status", ["canceled", "succeeded", "failed"])
def test_finished_jobs_are_never_claimed(
    db: Session, make_job: Callable[..., Job], status: str
) -> None:
    assert _claim(db, make_job(status=status)) is None


def test_an_exhausted_job_is_not_claimed(db: Session, make_job: Callable[..., Job]) -> None:
    assert _claim(db, make_job(attempts=3, max_attempts=3)) is None


def test_unknown_job_is_not_claimed(db: Session) -> None:
    assert lifecycle.claim(db, job_id=uuid.uuid4(), worker="w", lease_seconds=5) is None


def test_only_the_claimant_heartbeats_and_finishes(
    db: Session, make_job: Callable[..., Job]
) -> None:
    job = make_job()
    claim = _claim(db, job)
    assert claim is not None
    stale = dataclasses.replace(claim, token=uuid.uuid4())  # as if the lease had been lost
    assert lifecycle.heartbeat(db, tokens=[claim.token], lease_seconds=60) == {claim.token: 1}
    assert not lifecycle.heartbeat(db, tokens=[stale.token], lease_seconds=60)
    with pytest.raises(LostClaim):
        lifecycle.succeed(db, claim=stale, result={"x": 1}, result_url=None)
    lifecycle.succeed(db, claim=claim, result={"x": 1}, result_url="/r")
    db.refresh(job)
    assert job.status == JobStatus.succeeded and job.result == {"x": 1} and job.finished_at
    with pytest.raises(LostClaim):  # a second finish (e.g. a stale retry) changes nothing
        lifecycle.succeed(db, claim=claim, result={"x": 2}, result_url="/r")


def test_a_success_and_its_output_row_land_in_one_statement_or_not_at_all(
    db: Session, make_job: Callable[..., Job]
) -> None:
    """The content worker's piece and its job's success were two statements in a transaction
    (four round trips with BEGIN and COMMIT); one statement fences both on the claim."""
    job = make_job(kind="content", params={"concept": "x", "content_type": "lesson"})
    claim = _claim(db, job)
    assert claim is not None
    stale = dataclasses.replace(claim, token=uuid.uuid4())

    def piece(piece_id: uuid.UUID) -> OutputRow:
        values = dict(
            id=piece_id, learner_id=job.learner_id, job_id=job.id, concept="x", concept_key="x",
            content_type="lesson", experience_level="beginner", title="T", body="B",
            examples=[{"e": 1}], exercises=[], source="openai", model=None, prompt_version="v",
            input_tokens=1, output_tokens=2, cost_usd=0.5, notice=None, cache_key="k",
            owner_user_id=job.user_id, shared=False,
        )  # fmt: skip
        return OutputRow(table_of(Content), values)

    lost, kept = uuid.uuid4(), uuid.uuid4()
    with pytest.raises(LostClaim):
        lifecycle.succeed(db, claim=stale, result={}, result_url=None, row=piece(lost))
    finished = lifecycle.succeed(
        db, claim=claim, result={"id": str(kept)}, result_url="/r", row=piece(kept)
    )
    stored = {row.id: row for row in db.execute(text("SELECT * FROM content")).all()}
    assert lost not in stored and stored[kept].examples == [{"e": 1}]
    assert stored[kept].model is None and stored[kept].cost_usd == 0.5
    db.refresh(job)
    assert job.status == JobStatus.succeeded and job.finished_at == finished
    assert job.result == {"id": str(kept)}


def test_retryable_errors_requeue_until_the_last_attempt(
    db: Session, make_job: Callable[..., Job]
) -> None:
    job = make_job(max_attempts=2)
    first = _claim(db, job)
    assert first is not None
    assert (
        lifecycle.fail_or_retry(db, claim=first, code="boom", message="x", retryable=True)
        is JobStatus.queued
    )
    second = _claim(db, job)
    assert second is not None and second.attempts == 2
    assert (
        lifecycle.fail_or_retry(db, claim=second, code="boom", message="x", retryable=True)
        is JobStatus.failed
    )
    db.refresh(job)
    assert job.status == JobStatus.failed and job.error_code == "boom" and job.finished_at


def test_a_retried_job_waits_out_its_backoff_whoever_asks(
    db: Session, make_job: Callable[..., Job]
) -> None:
    """R9: a stale message for the job (e.g. a redelivery) used to claim it at once."""
    job = make_job()
    claim = _claim(db, job)
    assert claim is not None
    lifecycle.fail_or_retry(
        db, claim=claim, code="boom", message="x", retryable=True, retry_in_seconds=30
    )
    stolen = lifecycle.claim_batch(
        db, job_ids=[], worker="w", lease_seconds=60, steal_kind="analytics", steal=5
    )
    assert job.id not in {c.job_id for c in stolen}
    assert _claim(db, job) is None  # a stale message: not due yet
    db.execute(
        text("UPDATE jobs SET published_at = now() - interval '1 second' WHERE id = :id"),
        {"id": job.id},
    )
    again = _claim(db, job)  # due: the message the sweeper publishes claims it
    assert again is not None and again.attempts == 2


def test_a_deferral_uses_no_attempt_and_attempts_never_go_down(
    db: Session, make_job: Callable[..., Job]
) -> None:
    """R11: deferring used to decrement `attempts`, which clients saw go down."""
    job = make_job(max_attempts=2)
    claim = _claim(db, job)
    assert claim is not None
    lifecycle.defer(db, claim=claim, delay_seconds=0)
    db.refresh(job)
    assert job.status == JobStatus.queued and job.attempts == 1 and job.max_attempts == 3
    again = _claim(db, job)
    assert again is not None and again.attempts == 2
    # Two real attempts are still left after the deferral.
    assert (
        lifecycle.fail_or_retry(db, claim=again, code="boom", message="x", retryable=True)
        is JobStatus.queued
    )


def test_permanent_errors_fail_at_once(db: Session, make_job: Callable[..., Job]) -> None:
    job = make_job()
    claim = _claim(db, job)
    assert claim is not None
    status = lifecycle.fail_or_retry(db, claim=claim, code="bad", message="no", retryable=False)
    assert status is JobStatus.failed


def test_a_batch_claim_takes_the_asked_jobs_and_steals_the_oldest_others(
    db: Session, make_job: Callable[..., Job]
) -> None:
    asked = make_job()
    others = [make_job() for _ in range(3)]
    deferred = make_job(published_seconds_ago=-60)  # waiting for its countdown: not stolen
    running = make_job()
    assert _claim(db, running)
    claims = lifecycle.claim_batch(
        db, job_ids=[asked.id], worker="w", lease_seconds=60, steal_kind="analytics", steal=2
    )
    taken = {claim.job_id for claim in claims}
    assert asked.id in taken and len(taken) == 3
    assert taken - {asked.id} <= {job.id for job in others}
    assert deferred.id not in taken and running.id not in taken
    assert len({claim.token for claim in claims}) == 1
    assert lifecycle.heartbeat(db, tokens=[claims[0].token], lease_seconds=60) == {
        claims[0].token: 3
    }


def test_one_renewer_keeps_many_leases_and_tells_each_claim_it_lost(
    engine: Engine, committed_learner: tuple[int, int]
) -> None:
    """The content worker's jobs share one lease thread: each beat extends every held claim in
    one statement, and only the claim whose job was taken away hears that it lost it."""
    user_id, learner_id = committed_learner
    autocommit = sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))
    with autocommit() as session:
        ids = [
            session.execute(
                text(
                    "INSERT INTO jobs (id, user_id, learner_id, kind, params, max_attempts, published_at) "
                    "VALUES (gen_random_uuid(), :user, :learner, 'content', '{}', 3, now()) RETURNING id"
                ),
                {"user": user_id, "learner": learner_id},
            ).scalar_one()
            for _ in range(2)
        ]
        claims = [
            lifecycle.claim(session, job_id=job_id, worker="w", lease_seconds=5) for job_id in ids
        ]
    kept, taken = (claim for claim in claims if claim is not None)
    renewer = LeaseRenewer(heartbeat_seconds=0.2, lease_seconds=600, connect=autocommit)
    kept_lost, taken_lost = threading.Event(), threading.Event()
    renewer.hold(kept.token, kept_lost)
    renewer.hold(taken.token, taken_lost)
    with autocommit() as session:  # as a cancel (or the sweeper) would take it away
        session.execute(
            text("UPDATE jobs SET status = 'canceled' WHERE id = :id"), {"id": taken.job_id}
        )
    assert taken_lost.wait(5)
    with autocommit() as session:
        lease_left = session.execute(
            text("SELECT extract(epoch FROM lease_expires_at - now()) FROM jobs WHERE id = :id"),
            {"id": kept.job_id},
        ).scalar_one()
    assert lease_left > 500 and not kept_lost.is_set()
    renewer.release(kept.token)
    renewer.release(taken.token)
