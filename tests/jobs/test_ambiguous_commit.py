"""R14: when the connection drops after the INSERT committed but before its reply arrived, the
gateway answered 503 for a job that existed (and would run); a retry without an
Idempotency-Key then made a second one. Now it looks the job up first."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import Engine, text

from ailp.config import Settings
from ailp.jobs.submit import AnalyticsParams, NewJob
from gateway.broker import Broker
from gateway.db import create_pool
from gateway.jobs.service import enqueue
from tests.support.database import SCRATCH_REDIS_DB, redis_url


class ReplyLost:
    """A pool whose first job INSERT commits and then loses its connection, as a network cut or a
    database restart at that instant would."""

    def __init__(self, pool: Any) -> None:
        self._pool = pool
        self.cut = False

    async def fetchrow(self, sql: str, *args: Any) -> Any:
        row = await self._pool.fetchrow(sql, *args)
        if "INSERT INTO jobs" in sql and not self.cut:
            self.cut = True
            raise ConnectionResetError("connection reset by peer")
        return row

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)


def test_a_job_committed_before_its_reply_was_lost_is_accepted_once(
    engine: Engine, committed_learner: tuple[int, int]
) -> None:
    user_id, learner_id = committed_learner
    settings = Settings(
        environment="test",
        database_url=engine.url.render_as_string(hide_password=False).replace("+psycopg2", ""),
        redis_url=redis_url(SCRATCH_REDIS_DB),
    )

    async def submit() -> dict[str, Any]:
        pool = await create_pool(settings)
        broker = Broker(settings)
        try:
            job = NewJob(user_id, learner_id, AnalyticsParams(days=30))
            return await enqueue(ReplyLost(pool), broker, settings, job=job)  # type: ignore[arg-type]
        finally:
            await broker.close()
            await pool.close()

    accepted = asyncio.run(submit())
    with engine.connect() as connection:
        count = connection.execute(
            text("SELECT count(*) FROM jobs WHERE user_id = :user"), {"user": user_id}
        ).scalar_one()
    assert count == 1 and accepted["id"] and accepted["status"] == "queued"
