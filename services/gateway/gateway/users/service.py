"""The account lifecycle: password change, data export, account deletion.

Both password-confirmed actions count a failed confirmation against the same per-account limit
as failed sign-ins, so a stolen token cannot be used to guess the password behind it.
"""

from __future__ import annotations

from typing import Any

import anyio
import asyncpg

from ailp.config import Settings
from ailp.errors import Conflict, Forbidden, Unauthorized
from gateway.auth.broadcast import Revocations
from gateway.passwords import PasswordHashing, hash_password, verify_password
from gateway.ratelimit import Limit, RateLimiter
from gateway.users import repository
from gateway.users.export import export_user

_CONFIRM_FAILURES = "password-confirm-fail"
_TOO_MANY = "Too many wrong passwords. Wait until Retry-After has passed, then try again."
_CHANGED_MEANWHILE = "Your password was changed by another request meanwhile. Sign in again."
_GONE = "The account behind this token no longer exists."
_GONE_SIGN_IN = "The account behind this token no longer exists. Sign in again."


def _confirm_limit(settings: Settings, user_id: int) -> Limit:
    return Limit(
        _CONFIRM_FAILURES,
        str(user_id),
        settings.login_failures_per_account,
        settings.login_failure_window_seconds,
    )


async def _confirm_password(
    pool: asyncpg.Pool,
    limiter: RateLimiter,
    settings: Settings,
    *,
    user_id: int,
    password: str,
    field: str,
) -> str:
    """The stored hash if `password` is the user's; 403 otherwise. Runs inside a hashing slot."""
    limit = _confirm_limit(settings, user_id)
    await limiter.hit(limit, detail=_TOO_MANY)
    stored = await repository.get_password_hash(pool, user_id=user_id)
    if stored is None:
        raise Unauthorized(_GONE)
    if not await anyio.to_thread.run_sync(verify_password, stored, password):
        label = field.replace("_", " ")
        raise Forbidden(f"The {label} is wrong. Nothing was changed.", field=field)
    await limiter.refund(limit)
    return stored


async def change_password(
    pool: asyncpg.Pool,
    limiter: RateLimiter,
    hashing: PasswordHashing,
    revocations: Revocations,
    settings: Settings,
    *,
    user_id: int,
    current_password: str,
    new_password: str,
) -> None:
    async with hashing.slot():
        stored = await _confirm_password(
            pool,
            limiter,
            settings,
            user_id=user_id,
            password=current_password,
            field="current_password",
        )
        new_hash = await anyio.to_thread.run_sync(hash_password, new_password)
    if not await repository.change_password(
        pool, user_id=user_id, old_hash=stored, new_hash=new_hash
    ):
        raise Conflict(_CHANGED_MEANWHILE)
    await revocations.user_revoked(user_id)


async def delete_account(
    pool: asyncpg.Pool,
    limiter: RateLimiter,
    hashing: PasswordHashing,
    revocations: Revocations,
    settings: Settings,
    *,
    user_id: int,
    password: str,
) -> None:
    async with hashing.slot():
        stored = await _confirm_password(
            pool, limiter, settings, user_id=user_id, password=password, field="password"
        )
    if not await repository.delete(pool, user_id=user_id, password_hash=stored):
        raise Conflict(_CHANGED_MEANWHILE)
    await revocations.user_revoked(user_id)


async def me(pool: asyncpg.Pool, *, user_id: int) -> dict[str, Any]:
    row = await repository.get(pool, user_id=user_id)
    if row is None:
        raise Unauthorized(_GONE_SIGN_IN)
    return dict(row)


async def export(pool: asyncpg.Pool, *, user_id: int) -> dict[str, Any]:
    document = await export_user(pool, user_id=user_id)
    if document is None:
        raise Unauthorized(_GONE)
    return document
