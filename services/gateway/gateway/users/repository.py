"""SQL for users."""

from __future__ import annotations

import asyncpg

from ailp.errors import Conflict

_COLUMNS = "id, username, email, role, created_at"


async def insert(
    pool: asyncpg.Pool, *, username: str, email: str, password_hash: str
) -> asyncpg.Record:
    try:
        return await pool.fetchrow(
            f"INSERT INTO users (username, email, password_hash) VALUES ($1, $2, $3) RETURNING {_COLUMNS}",
            username,
            email,
            password_hash,
        )
    except asyncpg.UniqueViolationError as exc:
        field = "email" if "email" in (exc.constraint_name or "") else "username"
        raise Conflict(
            f"That {field} is already registered. Choose another {field}, or sign in.", field=field
        ) from exc


async def get_credentials(pool: asyncpg.Pool, *, username: str) -> asyncpg.Record | None:
    return await pool.fetchrow(
        "SELECT id, password_hash FROM users WHERE lower(username) = lower($1)", username
    )


async def get(pool: asyncpg.Pool, *, user_id: int) -> asyncpg.Record | None:
    return await pool.fetchrow(f"SELECT {_COLUMNS} FROM users WHERE id = $1", user_id)
