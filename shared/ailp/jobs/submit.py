"""One way in for jobs: typed parameters per kind and one statement that applies the per-user
limits and inserts, whoever submits (the gateway, new activity, a batch recomputation).

The limits are decided in the INSERT itself, on the user's row:

* the submission rate (`JOB_SUBMISSIONS_PER_MINUTE`) is a GCRA whose state is the user's
  `job_submission_tat`; the conditional UPDATE of that row is re-checked on its newest version when
  two submissions race, so the limit is exact across gateway processes and replicas;
* the unfinished-job cap (`MAX_QUEUED_JOBS_PER_USER`) is counted by the volatile SQL function
  `ailp_unfinished_jobs` in the same WHERE clause: a volatile function takes a fresh snapshot, so a
  submission that waited for a concurrent one on the user's row counts that one's job too.

A refused submission therefore never exists, not even for a moment: nothing is inserted, checked,
then deleted. The statement is plain SQL with `:name` parameters, run by the gateway through
asyncpg (`ailp.db.statements.positional`) and by the workers and tools through SQLAlchemy.
Publishing happens after the commit (`ailp.queue.publish`).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

import orjson

from ailp.config import Settings
from ailp.models.enums import JobKind

# The job object's columns as the API shows them (see `gateway.jobs.repository.to_api`).
JOB_COLUMNS = (
    "id, kind, learner_id, status, created_at, started_at, finished_at, attempts, "
    "error_code, error_message, result_url, result"
)


@dataclass(frozen=True, slots=True)
class ContentParams:
    concept: str
    content_type: str
    fresh: bool = False

    kind = JobKind.content


@dataclass(frozen=True, slots=True)
class AnalyticsParams:
    days: int
    # None: the job's creation time, by the database's clock (one clock orders everything).
    as_of: str | None = None
    trigger: Literal["request", "activity", "batch"] = "request"

    kind = JobKind.analytics


JobParams = ContentParams | AnalyticsParams


def params_from_row(kind: str, params: Mapping[str, Any]) -> JobParams:
    """The typed parameters of a stored job (unknown keys from older rows are ignored)."""
    if kind == JobKind.content:
        return ContentParams(
            concept=str(params["concept"]),
            content_type=str(params["content_type"]),
            fresh=bool(params.get("fresh", False)),
        )
    return AnalyticsParams(
        days=int(params.get("days", 30)),
        as_of=params.get("as_of") or None,
        trigger=params.get("trigger", "request"),
    )


def _params_json(params: JobParams) -> str:
    data: dict[str, Any] = {
        name: getattr(params, name) for name in params.__dataclass_fields__ if name != "kind"
    }
    return orjson.dumps({key: value for key, value in data.items() if value is not None}).decode()


@dataclass(frozen=True, slots=True)
class NewJob:
    user_id: int
    learner_id: int
    params: JobParams
    idempotency_key: str | None = None
    # A digest of the request, to tell a replay from a different request reusing a key.
    request_hash: str | None = None
    id: uuid.UUID = field(default_factory=uuid.uuid4)

    @property
    def kind(self) -> str:
        return self.params.kind.value


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-user limits: at most `per_minute` submissions a minute and `max_unfinished` jobs
    queued or running at once."""

    per_minute: int
    max_unfinished: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(settings.job_submissions_per_minute, settings.max_queued_jobs_per_user)


_WANTED = """
WITH wanted AS (
    SELECT w.* FROM unnest(
        CAST(:ids AS uuid[]), CAST(:user_ids AS bigint[]), CAST(:learner_ids AS bigint[]),
        CAST(:kinds AS text[]), CAST(:params AS text[]), CAST(:keys AS text[]),
        CAST(:hashes AS text[])
    ) AS w(id, user_id, learner_id, kind, params, idempotency_key, request_hash)
    JOIN learners l ON l.id = w.learner_id AND l.user_id = w.user_id
)"""

_LIMITED = """,
demand AS (SELECT user_id, count(*) AS n FROM wanted GROUP BY user_id),
admitted AS (
    UPDATE users u
    SET job_submission_tat = greatest(u.job_submission_tat, now())
        + make_interval(secs => demand.n * CAST(:interval AS float8))
    FROM demand
    WHERE u.id = demand.user_id
      AND greatest(u.job_submission_tat, now())
          + make_interval(secs => demand.n * CAST(:interval AS float8))
          <= now() + make_interval(secs => CAST(:window AS float8))
      AND ailp_unfinished_jobs(u.id) + demand.n <= CAST(:max_unfinished AS bigint)
    RETURNING u.id
)"""

_INSERT = """
INSERT INTO jobs (id, user_id, learner_id, kind, params, idempotency_key, request_hash,
                  max_attempts, published_at, batch_id)
SELECT w.id, w.user_id, w.learner_id, w.kind, CAST(w.params AS jsonb), w.idempotency_key,
       w.request_hash, CAST(:max_attempts AS integer), now(), CAST(:batch_id AS uuid)
FROM wanted w {join}
RETURNING """

WINDOW_SECONDS = 60


def submit_statement(
    jobs: Sequence[NewJob],
    *,
    limits: Limits | None,
    max_attempts: int,
    batch_id: uuid.UUID | None = None,
) -> tuple[str, dict[str, Any]]:
    """The one statement that inserts `jobs` (SQL with `:name` parameters, and the parameters).

    With `limits`, a user's jobs are inserted only if all of them fit both limits (and count
    against them); without (an operator's batch recomputation), they are not limited. Jobs for a
    learner that is not the user's are never inserted. Returns the inserted rows' `JOB_COLUMNS`.
    """
    sql = _WANTED
    if limits is not None:
        sql += _LIMITED
    sql += _INSERT.format(join="JOIN admitted a ON a.id = w.user_id" if limits else "")
    sql += JOB_COLUMNS
    params: dict[str, Any] = {
        "ids": [job.id for job in jobs],
        "user_ids": [job.user_id for job in jobs],
        "learner_ids": [job.learner_id for job in jobs],
        "kinds": [job.kind for job in jobs],
        "params": [_params_json(job.params) for job in jobs],
        "keys": [job.idempotency_key for job in jobs],
        "hashes": [job.request_hash for job in jobs],
        "max_attempts": max_attempts,
        "batch_id": batch_id,
    }
    if limits is not None:
        params |= {
            "interval": WINDOW_SECONDS / limits.per_minute,
            "window": WINDOW_SECONDS,
            "max_unfinished": limits.max_unfinished,
        }
    return sql, params


# Why one refused submission was refused (asked only after a refusal, so it costs nothing on
# the accepted path).
REFUSAL_STATEMENT = """
SELECT EXISTS (SELECT 1 FROM learners WHERE id = :learner_id AND user_id = :user_id) AS learner,
       ailp_unfinished_jobs(:user_id) AS unfinished,
       EXTRACT(EPOCH FROM greatest(u.job_submission_tat, now())
               + make_interval(secs => CAST(:interval AS float8))
               - make_interval(secs => CAST(:window AS float8)) - now()) AS wait
FROM users u WHERE u.id = :user_id
"""


class Refused(StrEnum):
    learner_not_found = "learner_not_found"
    too_many_unfinished = "too_many_unfinished"
    too_many_submissions = "too_many_submissions"


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: Refused
    retry_after: int = 0


def refusal_params(job: NewJob, limits: Limits) -> dict[str, Any]:
    return {
        "learner_id": job.learner_id,
        "user_id": job.user_id,
        "interval": WINDOW_SECONDS / limits.per_minute,
        "window": WINDOW_SECONDS,
    }


def refusal(row: Mapping[str, Any] | None, limits: Limits) -> Refusal:
    """Read `REFUSAL_STATEMENT`'s row. The rate is reported last: a learner that is not the
    caller's is a 404 whatever the limits say."""
    if row is None or not row["learner"]:
        return Refusal(Refused.learner_not_found)
    if row["unfinished"] >= limits.max_unfinished:
        return Refusal(Refused.too_many_unfinished, retry_after=10)
    return Refusal(Refused.too_many_submissions, retry_after=max(1, math.ceil(row["wait"] or 0)))
