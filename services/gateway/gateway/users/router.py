from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Response, status

from gateway.deps import (
    CurrentUserId,
    HashingDep,
    LimiterDep,
    PoolDep,
    RevocationsDep,
    SettingsDep,
)
from gateway.responses import json_response
from gateway.users import service
from gateway.users.schemas import AccountDeletionIn, CurrentUserOut, ExportOut, PasswordChangeIn

router = APIRouter(prefix="/api/users", tags=["users"])

_CONFIRMATION_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "the password given is wrong"},
    409: {"description": "the password changed meanwhile (another request)"},
    429: {"description": "too many wrong passwords"},
    503: {"description": "too many passwords being checked right now (Retry-After)"},
}


@router.get(
    "/me", operation_id="users-me", response_model=CurrentUserOut, summary="The signed-in user"
)
async def me(user_id: CurrentUserId, pool: PoolDep) -> dict[str, Any]:
    return await service.me(pool, user_id=user_id)


@router.post(
    "/me/password",
    operation_id="users-change-password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change the password; every token issued before is refused from then on",
    description=(
        "Checks `current_password`, stores `new_password` and signs the account out everywhere, "
        "including the token of this request: sign in again with the new password."
    ),
    responses=_CONFIRMATION_ERRORS,
)
async def change_password(
    data: PasswordChangeIn,
    user_id: CurrentUserId,
    pool: PoolDep,
    limiter: LimiterDep,
    hashing: HashingDep,
    revocations: RevocationsDep,
    settings: SettingsDep,
) -> Response:
    await service.change_password(
        pool,
        limiter,
        hashing,
        revocations,
        settings,
        user_id=user_id,
        current_password=data.current_password,
        new_password=data.new_password,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/me/export",
    operation_id="users-export",
    response_model=ExportOut,
    summary="Download everything stored about you (JSON attachment)",
    description=(
        "`{user, learners: [{…learner, sessions, responses, content, analytics}], jobs}`, "
        "sent as a download (`Content-Disposition: attachment`)."
    ),
)
async def export(user_id: CurrentUserId, pool: PoolDep) -> Response:
    document = await service.export(pool, user_id=user_id)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return json_response(
        document,
        headers={
            "Content-Disposition": f'attachment; filename="ailp-export-{user_id}-{stamp}.json"',
            "Cache-Control": "no-store",
        },
    )


@router.delete(
    "/me",
    operation_id="users-delete-me",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete your account and everything stored about it",
    description=(
        "Needs the account's `password`. Deletes the account, its learners with their sessions, "
        "answers, content and analytics, and its jobs (queued ones are canceled; a running one "
        "finds nothing to write to). Every token of the account is refused from then on."
    ),
    responses=_CONFIRMATION_ERRORS,
)
async def delete_me(
    data: AccountDeletionIn,
    user_id: CurrentUserId,
    pool: PoolDep,
    limiter: LimiterDep,
    hashing: HashingDep,
    revocations: RevocationsDep,
    settings: SettingsDep,
) -> Response:
    await service.delete_account(
        pool, limiter, hashing, revocations, settings, user_id=user_id, password=data.password
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
