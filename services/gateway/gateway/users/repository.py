"""SQL for users and their tokens' state."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from gateway.db import Duplicate
from gateway.security import TokenClaims

_COLUMNS = "id, username, email, role, created_at"


async def taken_field(pool: asyncpg.Pool, *, username: str, email: str) -> str | None:
    """The field already registered (case-insensitively): `username` or `email`; else None."""
    row = await pool.fetchrow(
        """
        SELECT EXISTS (SELECT 1 FROM users WHERE lower(username) = lower($1)) AS username,
               EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($2)) AS email
        """,
        username,
        email,
    )
    if row["username"]:
        return "username"
    if row["email"]:
        return "email"
    return None


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
        raise Duplicate(exc.constraint_name) from exc


async def get_credentials(pool: asyncpg.Pool, *, username: str) -> asyncpg.Record | None:
    return await pool.fetchrow(
        "SELECT id, password_hash, token_version FROM users WHERE lower(username) = lower($1)",
        username,
    )


async def get_password_hash(pool: asyncpg.Pool, *, user_id: int) -> str | None:
    password_hash = await pool.fetchval("SELECT password_hash FROM users WHERE id = $1", user_id)
    return None if password_hash is None else str(password_hash)


async def replace_hash(pool: asyncpg.Pool, *, user_id: int, old_hash: str, new_hash: str) -> None:
    """Re-hash with today's parameters, unless the password changed meanwhile."""
    await pool.execute(
        "UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2",
        user_id,
        old_hash,
        new_hash,
    )


async def change_password(
    pool: asyncpg.Pool, *, user_id: int, old_hash: str, new_hash: str
) -> bool:
    """Store the new hash and refuse every earlier token; False when the stored hash is no longer
    the one the current password was checked against (a concurrent change won)."""
    changed = await pool.fetchval(
        """
        UPDATE users SET password_hash = $3, token_version = token_version + 1
        WHERE id = $1 AND password_hash = $2 RETURNING id
        """,
        user_id,
        old_hash,
        new_hash,
    )
    return changed is not None


async def bump_token_version(pool: asyncpg.Pool, *, user_id: int) -> bool:
    """False when the account is gone."""
    updated = await pool.fetchval(
        "UPDATE users SET token_version = token_version + 1 WHERE id = $1 RETURNING id", user_id
    )
    return updated is not None


async def revoke_token(pool: asyncpg.Pool, *, claims: TokenClaims) -> None:
    """Store the token's id until it expires; purge a few expired entries on the way (the
    table only ever holds tokens that are still within their lifetime, plus this backlog)."""
    await pool.execute(
        """
        WITH purged AS (
            DELETE FROM revoked_tokens WHERE jti IN (
                SELECT jti FROM revoked_tokens WHERE expires_at < now() LIMIT 100
            )
        )
        INSERT INTO revoked_tokens (jti, user_id, expires_at)
        SELECT $1, id, $3 FROM users WHERE id = $2
        ON CONFLICT (jti) DO NOTHING
        """,
        claims.jti,
        claims.user_id,
        datetime.fromtimestamp(claims.expires_at, UTC),
    )


async def get(pool: asyncpg.Pool, *, user_id: int) -> asyncpg.Record | None:
    return await pool.fetchrow(f"SELECT {_COLUMNS} FROM users WHERE id = $1", user_id)


async def role_of(pool: asyncpg.Pool, *, user_id: int) -> str | None:
    role = await pool.fetchval("SELECT role FROM users WHERE id = $1", user_id)
    return None if role is None else str(role)


async def delete(pool: asyncpg.Pool, *, user_id: int, password_hash: str) -> bool:
    """Delete the account and, by cascade, everything of it: learners, their sessions, answers,
    content, analytics, schedules, and its jobs (queued ones thereby canceled: a worker that
    picks one up finds no row; one that is running finds no row for its final write).
    False when the password changed since it was checked."""
    deleted = await pool.fetchval(
        "DELETE FROM users WHERE id = $1 AND password_hash = $2 RETURNING id",
        user_id,
        password_hash,
    )
    return deleted is not None
