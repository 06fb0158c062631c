"""Run many short jobs in one task delivery, on one database connection.

For short, database-bound jobs (analytics) the per-task overhead — broker round trips,
connection checkouts and their pings, commits — costs more than the work itself. A delivery
therefore claims the jobs it was asked for and, if told to, steals up to `steal` more queued jobs
of its kind from the database (workers pull work from the truth; the task messages of stolen jobs
later find nothing to claim, which is harmless). It computes them one by one on one connection and
commits every output with its job's terminal status in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session

from ailp import metrics
from ailp.config import Settings, get_settings
from ailp.db.engine import get_engine
from ailp.db.rows import Executor
from ailp.jobs import lifecycle
from ailp.jobs.lifecycle import Claim
from ailp.jobs.runner import (
    JobOutcome,
    LeaseKeeper,
    PermanentJobError,
    internal_error_message,
    observe,
    record_failure,
    took_messages,
    worker_name,
    write_while_leased,
)
from ailp.logging import bound_context, get_logger

log = get_logger(__name__)

Compute = Callable[[Claim, Session], JobOutcome]
# Stores the output of many succeeded jobs at once.
StoreMany = Callable[[Executor, list[JobOutcome]], None]


def run_batch(
    job_ids: list[str],
    *,
    kind: str,
    compute: Compute,
    steal: int = 0,
    store_many: StoreMany,
    settings: Settings | None = None,
) -> dict[str, int]:
    """Execute one delivery for `job_ids` (plus stolen jobs); count the outcomes."""
    settings = settings or get_settings()
    ids = _uuids(job_ids)
    took_messages(job_ids)
    counts: dict[str, int] = {}
    with bound_context(kind=kind), get_engine().connect() as connection:
        session = Session(bind=connection, expire_on_commit=False)
        claims = lifecycle.claim_batch(
            session,
            job_ids=ids,
            worker=worker_name(),
            lease_seconds=settings.job_lease_seconds,
            steal_kind=kind,
            steal=steal,
        )
        session.commit()
        skipped = len(set(ids) - {claim.job_id for claim in claims})
        if skipped:  # already taken, finished or canceled: a redelivery is harmless
            metrics.JOBS_FINISHED.labels(kind=kind, outcome="skipped").inc(skipped)
        if not claims:
            return {"skipped": len(ids)}
        with LeaseKeeper(claims[0].token, settings) as keeper:
            outcomes, failures = _compute_all(session, claims, compute)
            session.close()
            stored = _store_all(keeper, claims[0].token, outcomes, store_many)
        for claim in claims:
            outcome = stored.get(claim.job_id) or _fail(claim, failures.get(claim.job_id))
            observe(claim, kind, outcome)
            counts[outcome] = counts.get(outcome, 0) + 1
    log.info("job_batch_done", **counts)
    return counts


def _uuids(job_ids: list[str]) -> list[uuid.UUID]:
    parsed = []
    for job_id in job_ids:
        try:
            parsed.append(uuid.UUID(job_id))
        except ValueError:
            log.error("job_id_invalid", job_id=job_id)
    return parsed


def _compute_all(
    session: Session, claims: list[Claim], compute: Compute
) -> tuple[dict[uuid.UUID, tuple[Claim, JobOutcome]], dict[uuid.UUID, Exception]]:
    outcomes: dict[uuid.UUID, tuple[Claim, JobOutcome]] = {}
    failures: dict[uuid.UUID, Exception] = {}
    for claim in claims:
        with bound_context(job_id=str(claim.job_id), attempt=claim.attempts):
            stop_timer = metrics.timer(metrics.JOB_RUN_TIME, kind=claim.kind)
            try:
                outcomes[claim.job_id] = (claim, compute(claim, session))
            except Exception as exc:
                if not isinstance(exc, PermanentJobError):
                    log.exception("job_error")
                failures[claim.job_id] = exc
                session.rollback()  # a failed statement aborts the transaction; start afresh
            finally:
                stop_timer()
    session.rollback()  # end the read transaction (nothing was written), keep the connection
    return outcomes, failures


def _store_all(
    keeper: LeaseKeeper,
    token: uuid.UUID,
    outcomes: dict[uuid.UUID, tuple[Claim, JobOutcome]],
    store_many: StoreMany,
) -> dict[uuid.UUID, str]:
    """Mark the jobs succeeded (fenced by the claim) and store their outputs, in one transaction.

    A job that is no longer ours (lease lost) gets nothing stored.
    """
    held: set[uuid.UUID] = set()

    def write(session: Executor) -> None:
        nonlocal held
        held = lifecycle.succeed_many(
            session,
            token=token,
            results={job_id: (o.result, o.result_url) for job_id, (_, o) in outcomes.items()},
        )
        store_many(
            session, [outcome for job_id, (_, outcome) in outcomes.items() if job_id in held]
        )

    try:
        write_while_leased(write, keeper)
    except Exception:
        log.exception("job_batch_store_failed")
        return {}  # every job falls back to a retry
    return {job_id: "succeeded" if job_id in held else "lost" for job_id in outcomes}


def _fail(claim: Claim, error: Exception | None) -> str:
    with bound_context(job_id=str(claim.job_id), attempt=claim.attempts):
        if isinstance(error, PermanentJobError):
            return record_failure(claim, error.code, error.message, retryable=False)
        return record_failure(
            claim, "internal_error", internal_error_message(claim.job_id), retryable=True
        )
