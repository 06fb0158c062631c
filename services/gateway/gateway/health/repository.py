"""The database side of the health checks."""

from __future__ import annotations

import asyncpg


async def ping(pool: asyncpg.Pool) -> None:
    """One round trip through the pool (raises when the database cannot be reached)."""
    await pool.fetchval("SELECT 1")
