"""The ceilings, the fastest this stack serves a request, served exactly as `python -m gateway`
serves the gateway (`python -m bench.ceilings NAME PORT`: uvicorn, WEB_CONCURRENCY processes,
uvloop, httptools, no access log): `hello`, a bare ASGI app (no framework, no I/O), and
`ceiling`, a minimal FastAPI app on the gateway's own asyncpg pool and Redis client doing one
primary-key SELECT of a job row, or one INSERT plus one LPUSH of a Celery message built like
the gateway's. No auth, no middleware, no logging."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response, status
from pydantic import BaseModel, ConfigDict

from ailp.config import get_settings
from ailp.queue.messages import task_message
from ailp.queue.names import GENERATE_CONTENT_TASK
from gateway.broker import create_redis
from gateway.db import create_pool
from gateway.jobs.repository import COLUMNS

# The ceiling's table and queue: its own, so they never mix with the gateway's jobs.
CEILING_TABLE = "bench_ceiling_rows"
CEILING_QUEUE = "bench_ceiling"
CREATE_CEILING_TABLE = f"""
CREATE TABLE IF NOT EXISTS {CEILING_TABLE} (
    id uuid PRIMARY KEY,
    params jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
)
"""
_HEADERS = [(b"content-type", b"text/plain"), (b"content-length", b"13")]
_START = {"type": "http.response.start", "status": 200, "headers": _HEADERS}
_BODY = {"type": "http.response.body", "body": b"Hello, world!"}


async def hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send(_START)
    await send(_BODY)


class SubmitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    concept: str
    content_type: str


def create_ceiling_app() -> FastAPI:
    settings = get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = await create_pool(settings)
        app.state.redis = create_redis(settings.celery_broker_url)
        try:
            yield
        finally:
            await app.state.redis.aclose()
            await app.state.pool.close()

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    select_sql = f"SELECT {COLUMNS} FROM jobs WHERE id = $1"
    insert_sql = f"INSERT INTO {CEILING_TABLE} (id, params) VALUES ($1, $2::jsonb)"

    @app.get("/select/{row_id}")
    async def select_one(row_id: uuid.UUID, request: Request, response: Response) -> Any:
        row = await request.app.state.pool.fetchrow(select_sql, row_id)
        if row is None:
            response.status_code = status.HTTP_404_NOT_FOUND
            return {"detail": "not found"}
        return dict(row)

    @app.post("/insert", status_code=status.HTTP_202_ACCEPTED)
    async def insert_and_push(data: SubmitIn, request: Request) -> Any:
        row_id = uuid.uuid4()
        await request.app.state.pool.execute(insert_sql, row_id, data.model_dump())
        message = task_message(GENERATE_CONTENT_TASK, CEILING_QUEUE, [str(row_id)])
        await request.app.state.redis.lpush(CEILING_QUEUE, message)
        return {"id": str(row_id)}

    return app


def main(name: str, port: str) -> None:
    app = {"hello": "hello", "ceiling": "create_ceiling_app"}[name]
    options = {"loop": "uvloop", "http": "httptools", "access_log": False, "log_config": None}
    options |= {"host": "127.0.0.1", "workers": get_settings().web_concurrency}
    options |= {"timeout_graceful_shutdown": 5}
    uvicorn.run(f"bench.ceilings:{app}", factory=name == "ceiling", port=int(port), **options)


if __name__ == "__main__":
    main(*sys.argv[1:])
