from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ailp.models.enums import JobKind, JobStatus

# The documented answers of an operation that enqueues a job.
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


class JobError(BaseModel):
    code: str
    message: str


class JobOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "5f0c6f5e-8a0b-4a55-a3c5-0b1d9f7e2c11",
                    "kind": "content",
                    "learner_id": 1,
                    "status": "queued",
                    "created_at": "2026-11-28T10:00:00Z",
                    "started_at": None,
                    "finished_at": None,
                    "attempts": 0,
                    "error": None,
                    "result_url": None,
                    "result": None,
                }
            ]
        }
    )

    id: uuid.UUID
    kind: JobKind
    learner_id: int
    status: JobStatus
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    attempts: int
    error: JobError | None = Field(description="Set when the job failed.")
    result_url: str | None
    result: dict[str, Any] | None = Field(description="The inline result once succeeded.")
