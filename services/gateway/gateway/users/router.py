from __future__ import annotations

from fastapi import APIRouter

from ailp.errors import Unauthorized
from gateway.deps import CurrentUserId, PoolDep
from gateway.users import repository
from gateway.users.schemas import CurrentUserOut

router = APIRouter(prefix="/api/users", tags=["users"])


@router.get("/me", response_model=CurrentUserOut, summary="The signed-in user")
async def me(user_id: CurrentUserId, pool: PoolDep) -> dict:
    row = await repository.get(pool, user_id=user_id)
    if row is None:
        raise Unauthorized("The account behind this token no longer exists. Sign in again.")
    return dict(row)
