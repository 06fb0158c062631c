"""JSON responses rendered straight from database rows for the hottest endpoints.

The rows already have the documented shape (the SQL selects exactly the response's fields), so
re-validating them through the response model on every poll costs CPU for nothing; the route
keeps its `response_model` for the OpenAPI document. orjson writes datetimes in UTC with `Z`, as
the models do.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import Response

from gateway.jobs.service import retry_after

_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC


def _other(value: Any) -> str:
    # asyncpg's own UUID type (not uuid.UUID) prints in the canonical form.
    if type(value).__name__ == "UUID":
        return str(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def json_response(
    data: Any, *, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        orjson.dumps(data, default=_other, option=_OPTIONS),
        status_code=status_code,
        media_type="application/json",
        headers=headers,
    )


def accepted(job: dict[str, Any]) -> Response:
    """202 Accepted with the job, where to poll it and when."""
    return json_response(
        job,
        status_code=202,
        headers={"Location": f"/api/jobs/{job['id']}", **retry_after(job["kind"])},
    )
