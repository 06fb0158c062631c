from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from ailp.models.enums import JobKind, JobStatus
from gateway.deps import CurrentUserId, PoolDep
from gateway.jobs import repository
from gateway.jobs.schemas import JobOut
from gateway.jobs.service import retry_after
from gateway.pagination import Page, decode_cursor, page_of
from gateway.responses import json_response
from gateway.validation import BigId

router = APIRouter(prefix="/api/jobs", tags=["jobs"])

ACCEPTED_RESPONSES: dict[int | str, dict[str, Any]] = {
    202: {
        "description": "Accepted: poll the job at `Location`.",
        "headers": {
            "Location": {"description": "/api/jobs/{job_id}", "schema": {"type": "string"}},
            "Retry-After": {"description": "seconds before polling", "schema": {"type": "integer"}},
        },
    },
    404: {"description": "no such learner among yours"},
    422: {"description": "invalid body, or Idempotency-Key reused with a different body"},
    429: {"description": "too many submissions or unfinished jobs"},
}


@router.get("/{job_id}", response_model=JobOut, summary="Poll a job")
async def get_job(job_id: uuid.UUID, user_id: CurrentUserId, pool: PoolDep) -> Any:
    job = repository.to_api(await repository.get(pool, user_id=user_id, job_id=job_id))
    headers = None if JobStatus(job["status"]).is_terminal else retry_after(job["kind"])
    return json_response(job, headers=headers)


@router.get("", response_model=Page[JobOut], summary="Your jobs, newest first")
async def list_jobs(
    user_id: CurrentUserId,
    pool: PoolDep,
    learner_id: Annotated[BigId | None, Query()] = None,
    status: JobStatus | None = None,
    kind: JobKind | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Any:
    rows = await repository.list_for_user(
        pool,
        user_id=user_id,
        learner_id=learner_id,
        status=status.value if status else None,
        kind=kind.value if kind else None,
        after=decode_cursor(cursor, uuid.UUID),
        limit=limit + 1,
    )
    return page_of(rows, limit, at="created_at", item_id="id", render=repository.to_api)


@router.delete(
    "/{job_id}",
    response_model=JobOut,
    summary="Cancel a queued job",
    responses={409: {"description": "the job is running or already finished"}},
)
async def cancel_job(job_id: uuid.UUID, user_id: CurrentUserId, pool: PoolDep) -> Any:
    return repository.to_api(await repository.cancel(pool, user_id=user_id, job_id=job_id))
