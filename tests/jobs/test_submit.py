"""The one submission statement: limits decided in the INSERT, exact under concurrency."""

from __future__ import annotations

import threading

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from ailp.jobs.submit import (
    REFUSAL_STATEMENT,
    AnalyticsParams,
    ContentParams,
    Limits,
    NewJob,
    Refused,
    refusal,
    refusal_params,
    submit_statement,
)
from ailp.models import Learner


def _submit(connection_or_session: object, jobs: list[NewJob], limits: Limits | None) -> list:
    sql, params = submit_statement(jobs, limits=limits, max_attempts=3)
    return connection_or_session.execute(text(sql), params).all()  # type: ignore[attr-defined]


def _race(engine: Engine, jobs: list[NewJob], limits: Limits) -> int:
    """Submit each job from its own connection, all at once; how many were accepted."""
    accepted = 0
    lock = threading.Lock()
    start = threading.Barrier(len(jobs), timeout=30)  # the engine's pool holds 15

    def submit(job: NewJob) -> None:
        nonlocal accepted
        with engine.connect() as connection:
            start.wait()
            rows = _submit(connection, [job], limits)
            connection.commit()
        with lock:
            accepted += len(rows)

    threads = [threading.Thread(target=submit, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return accepted


def test_the_unfinished_cap_is_exact_under_concurrent_submissions(
    engine: Engine, committed_learner: tuple[int, int]
) -> None:
    user_id, learner_id = committed_learner
    jobs = [NewJob(user_id, learner_id, AnalyticsParams(days=30)) for _ in range(12)]
    assert _race(engine, jobs, Limits(per_minute=10_000, max_unfinished=5)) == 5


def test_the_submission_rate_is_exact_under_concurrent_submissions(
    engine: Engine, committed_learner: tuple[int, int]
) -> None:
    user_id, learner_id = committed_learner
    jobs = [NewJob(user_id, learner_id, AnalyticsParams(days=30)) for _ in range(12)]
    assert _race(engine, jobs, Limits(per_minute=7, max_unfinished=1000)) == 7


def test_a_refused_submission_leaves_no_row_and_says_why(db: Session, learner: Learner) -> None:
    """R3: a refused submission used to be inserted, then deleted (seen in between)."""
    limits = Limits(per_minute=1, max_unfinished=50)
    params = ContentParams(concept="SQL joins", content_type="lesson")
    first = NewJob(learner.user_id, learner.id, params)
    assert len(_submit(db, [first], limits)) == 1
    second = NewJob(learner.user_id, learner.id, params)
    assert _submit(db, [second], limits) == []
    assert db.scalar(text("SELECT count(*) FROM jobs WHERE id = :id"), {"id": second.id}) == 0
    row = db.execute(text(REFUSAL_STATEMENT), refusal_params(second, limits)).mappings().first()
    why = refusal(row, limits)
    assert why.reason is Refused.too_many_submissions and 1 <= why.retry_after <= 60


def test_no_job_for_someone_elses_learner(db: Session, learner: Learner) -> None:
    job = NewJob(learner.user_id + 1_000_000, learner.id, AnalyticsParams(days=30))
    limits = Limits(per_minute=60, max_unfinished=50)
    assert _submit(db, [job], limits) == []
    row = db.execute(text(REFUSAL_STATEMENT), refusal_params(job, limits)).mappings().first()
    assert refusal(row, limits).reason is Refused.learner_not_found
    assert _submit(db, [job], None) == []  # unlimited (a batch run) still checks the owner


def test_a_users_jobs_fit_together_or_not_at_all(db: Session, learner: Learner) -> None:
    jobs = [NewJob(learner.user_id, learner.id, AnalyticsParams(days=30)) for _ in range(3)]
    assert _submit(db, jobs, Limits(per_minute=60, max_unfinished=2)) == []
    assert len(_submit(db, jobs, Limits(per_minute=60, max_unfinished=3))) == 3
