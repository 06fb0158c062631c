"""Learner profiles: one per niche, at most MAX_LEARNERS_PER_USER per account."""

from __future__ import annotations

from typing import Any

import asyncpg

from ailp.errors import Conflict, LimitReached, NotFound, Unprocessable
from gateway.db import Duplicate
from gateway.learners import repository

# Fields a PATCH may leave out but never set to null.
_NOT_NULL = ("target_niche", "experience_level", "preferred_learning_style")


def _duplicate_niche(niche: str) -> Conflict:
    return Conflict(
        f"You already have a learner profile for the niche {niche!r}; one profile per niche. "
        "Update that profile instead."
    )


async def create(
    pool: asyncpg.Pool, *, user_id: int, values: dict[str, Any], max_per_user: int
) -> dict[str, Any]:
    try:
        row = await repository.insert(
            pool, user_id=user_id, values=values, max_per_user=max_per_user
        )
    except Duplicate as exc:
        raise _duplicate_niche(values["target_niche"]) from exc
    if row is repository.Refused.no_owner:
        raise NotFound("account")
    if row is repository.Refused.at_cap:
        raise LimitReached(
            f"You already have {max_per_user} learner profiles, the most one account may have. "
            "Delete one you no longer use (DELETE /api/learners/{id}) before creating another.",
            limit=max_per_user,
        )
    return dict(row)


async def list_for_user(pool: asyncpg.Pool, *, user_id: int) -> list[dict[str, Any]]:
    return [dict(row) for row in await repository.list_for_user(pool, user_id=user_id)]


async def get(pool: asyncpg.Pool, *, user_id: int, learner_id: int) -> dict[str, Any]:
    row = await repository.get(pool, user_id=user_id, learner_id=learner_id)
    if row is None:
        raise NotFound("learner", learner_id)
    return dict(row)


async def update(
    pool: asyncpg.Pool, *, user_id: int, learner_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    """Change the fields in `changes` (the ones the client sent); `learning_goals` may be null."""
    nulls = [name for name in _NOT_NULL if name in changes and changes[name] is None]
    if nulls:
        raise Unprocessable(
            f"{', '.join(nulls)} cannot be null; omit a field to keep its value.",
            errors=[{"loc": ["body", name], "msg": "may not be null"} for name in nulls],
        )
    try:
        row = await repository.update(pool, user_id=user_id, learner_id=learner_id, changes=changes)
    except Duplicate as exc:
        raise _duplicate_niche(changes["target_niche"]) from exc
    if row is None:
        raise NotFound("learner", learner_id)
    return dict(row)


async def delete(pool: asyncpg.Pool, *, user_id: int, learner_id: int) -> None:
    if not await repository.delete(pool, user_id=user_id, learner_id=learner_id):
        raise NotFound("learner", learner_id)
