"""SQL for learner profiles. Every statement is scoped to the owner: others' rows are invisible."""

from __future__ import annotations

from enum import Enum
from typing import Any

import asyncpg

from gateway.db import Duplicate

COLUMNS = (
    "id, user_id, target_niche, experience_level, preferred_learning_style, learning_goals, "
    "knowledge_state, engagement_metrics, created_at"
)
_UPDATABLE = ("target_niche", "experience_level", "preferred_learning_style", "learning_goals")


# The count is checked in the insert itself, and the owner's row is locked first (in the same
# transaction, a statement before), so two concurrent creations cannot both see room for one.
_LOCK_OWNER = "SELECT id FROM users WHERE id = $1 FOR UPDATE"
_INSERT_WITHIN_CAP = f"""
INSERT INTO learners (user_id, target_niche, experience_level, preferred_learning_style,
                      learning_goals)
SELECT $1, $2, $3, $4, $5
WHERE (SELECT count(*) FROM learners WHERE user_id = $1) < $6
RETURNING {COLUMNS}
"""


class Refused(Enum):
    """Why `insert` stored nothing."""

    no_owner = "no_owner"  # the account is gone
    at_cap = "at_cap"  # the owner has `max_per_user` profiles already


async def insert(
    pool: asyncpg.Pool, *, user_id: int, values: dict[str, Any], max_per_user: int
) -> asyncpg.Record | Refused:
    """The new row; raises `Duplicate` when the owner has a profile for that niche."""
    async with pool.acquire() as connection, connection.transaction():
        if await connection.fetchval(_LOCK_OWNER, user_id) is None:
            return Refused.no_owner
        try:
            row = await connection.fetchrow(
                _INSERT_WITHIN_CAP,
                user_id,
                values["target_niche"],
                values["experience_level"],
                values["preferred_learning_style"],
                values.get("learning_goals"),
                max_per_user,
            )
        except asyncpg.UniqueViolationError as exc:
            raise Duplicate(exc.constraint_name) from exc
    return Refused.at_cap if row is None else row


async def list_for_user(pool: asyncpg.Pool, *, user_id: int) -> list[asyncpg.Record]:
    return await pool.fetch(
        f"SELECT {COLUMNS} FROM learners WHERE user_id = $1 ORDER BY id", user_id
    )


async def get(pool: asyncpg.Pool, *, user_id: int, learner_id: int) -> asyncpg.Record | None:
    return await pool.fetchrow(
        f"SELECT {COLUMNS} FROM learners WHERE id = $1 AND user_id = $2", learner_id, user_id
    )


async def update(
    pool: asyncpg.Pool, *, user_id: int, learner_id: int, changes: dict[str, Any]
) -> asyncpg.Record | None:
    """The changed row (None when not the owner's); raises `Duplicate` for a taken niche."""
    fields = [name for name in _UPDATABLE if name in changes]
    if not fields:
        return await get(pool, user_id=user_id, learner_id=learner_id)
    assignments = ", ".join(f"{name} = ${index}" for index, name in enumerate(fields, start=3))
    try:
        row = await pool.fetchrow(
            f"UPDATE learners SET {assignments}, updated_at = now() "
            f"WHERE id = $1 AND user_id = $2 RETURNING {COLUMNS}",
            learner_id,
            user_id,
            *(changes[name] for name in fields),
        )
    except asyncpg.UniqueViolationError as exc:
        raise Duplicate(exc.constraint_name) from exc
    return row


async def delete(pool: asyncpg.Pool, *, user_id: int, learner_id: int) -> bool:
    deleted = await pool.fetchval(
        "DELETE FROM learners WHERE id = $1 AND user_id = $2 RETURNING id", learner_id, user_id
    )
    return deleted is not None
