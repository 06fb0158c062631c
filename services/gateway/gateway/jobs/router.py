from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from ailp.models.enums import JobKind, JobStatus
from gateway.deps import CurrentUserId, PoolDep
from gateway.jobs import service
from gateway.jobs.schemas import JobOut
from gateway.pagination import Cursor, Page
from gateway.responses import json_response
from gateway.validation import BigId

router = APIRouter(prefix="/api/jobs", tags=["jobs"])


@router.get("/{job_id}", operation_id="jobs-get", response_model=JobOut, summary="Poll a job")
async def get_job(job_id: uuid.UUID, user_id: CurrentUserId, pool: PoolDep) -> Response:
    job = await service.get(pool, user_id=user_id, job_id=job_id)
    return json_response(job, headers=service.poll_headers(job))


@router.get(
    "", operation_id="jobs-list", response_model=Page[JobOut], summary="Your jobs, newest first"
)
async def list_jobs(
    user_id: CurrentUserId,
    pool: PoolDep,
    learner_id: Annotated[BigId | None, Query()] = None,
    status: JobStatus | None = None,
    kind: JobKind | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Cursor = None,
) -> dict[str, Any]:
    return await service.list_for_user(
        pool,
        user_id=user_id,
        learner_id=learner_id,
        status=status.value if status else None,
        kind=kind.value if kind else None,
        cursor=cursor,
        limit=limit,
    )


@router.delete(
    "/{job_id}",
    operation_id="jobs-cancel",
    response_model=JobOut,
    summary="Cancel a queued job",
    responses={409: {"description": "the job is running or already finished"}},
)
async def cancel_job(job_id: uuid.UUID, user_id: CurrentUserId, pool: PoolDep) -> dict[str, Any]:
    return await service.cancel(pool, user_id=user_id, job_id=job_id)
